using Microsoft.AspNetCore.Authentication;

namespace Stride.Server.Auth;

internal static class AuthSetup
{
    /// <summary>API-key authentication and one authorization policy per scope.</summary>
    public static IServiceCollection AddStrideAuth(this IServiceCollection services)
    {
        services.AddMemoryCache(o => o.SizeLimit = 10_000);
        services.AddSingleton<KeyCache>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        var authorization = services.AddAuthorizationBuilder();
        foreach (var scope in new[] { Scopes.Ingest, Scopes.Read, Scopes.Admin, Scopes.Operator, Scopes.IngestOrRead })
        {
            authorization.AddPolicy(scope, p => p
                .RequireAuthenticatedUser()
                .RequireAssertion(c => Scopes.Allows(
                    c.User.FindAll(ApiKeyAuthenticationHandler.ScopeClaim).Select(x => x.Value), scope)));
        }

        return services;
    }
}
