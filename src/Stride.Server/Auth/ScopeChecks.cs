using Microsoft.AspNetCore.Authentication;

namespace Stride.Server.Auth;

/// <summary>Restricts endpoints to API keys holding a scope.</summary>
/// <remarks>
/// Checked by a small middleware against endpoint metadata instead of ASP.NET Core authorization
/// policies: the authorization middleware cost about 5 µs of every request, a sixth of a
/// single-event ingestion request on the benchmark machine, for what is one look at the key's
/// scopes. It answers as the policies did and at the same point, before the endpoint binds its
/// parameters: 401 through the API-key handler's challenge, 403 through its forbid.
/// </remarks>
internal static class ScopeChecks
{
    /// <summary>Lets only keys holding one of <paramref name="anyOf"/> (or <c>admin</c>, see <see cref="Scopes.Allows"/>) reach the endpoints.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, params string[] anyOf)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new RequiredScope(anyOf));

    /// <summary>Enforces <see cref="RequireScope"/>; place after <c>UseAuthentication</c>.</summary>
    public static IApplicationBuilder UseScopeChecks(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>() is not { } required)
        {
            await next(context);
            return;
        }

        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            await context.ChallengeAsync();
            return;
        }

        var held = user.FindAll(ApiKeyAuthenticationHandler.ScopeClaim).Select(c => c.Value).ToArray();
        if (!required.AnyOf.Any(scope => Scopes.Allows(held, scope)))
        {
            await context.ForbidAsync();
            return;
        }

        await next(context);
    });

    /// <summary>Endpoint metadata: the scopes any one of which lets a key in.</summary>
    /// <remarks>Internal so that the OpenAPI document can state each route's security requirement from it.</remarks>
    internal sealed record RequiredScope(string[] AnyOf);
}
