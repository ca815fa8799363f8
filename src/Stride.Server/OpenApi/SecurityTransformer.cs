using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Stride.Server.Auth;

namespace Stride.Server.OpenApi;

/// <summary>
/// States, for every route that <see cref="ScopeChecks.RequireScope"/> guards, the key it needs
/// (any of the three ways of sending one, with the scopes that let it in), the 401 and 403
/// answers the scope check gives, and the 429 of the per-key rate limit.
/// </summary>
/// <remarks>
/// Read from the same endpoint metadata the scope check enforces, so the document cannot drift
/// from what the server does. OpenAPI 3.1 allows role names in the requirement of a non-OAuth
/// scheme; the scopes are listed there and in the description.
/// </remarks>
internal sealed class SecurityTransformer : IOpenApiOperationTransformer
{
    public const string BearerScheme = "bearer";
    public const string HeaderScheme = "apiKeyHeader";
    public const string QueryScheme = "apiKeyQuery";

    /// <summary>The three ways of sending a key (SPEC §4), as components of the document.</summary>
    public static Dictionary<string, IOpenApiSecurityScheme> Schemes() => new()
    {
        [BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key as `Authorization: Bearer <key>`.",
        },
        [HeaderScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "X-Api-Key",
            Description = "An API key as the `X-Api-Key` header.",
        },
        [QueryScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Query,
            Name = "api_key",
            Description = "An API key as the `api_key` query parameter (the form pulse-event-cli uses; it ends up in logs of proxies, so prefer a header).",
        },
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var required = context.Description.ActionDescriptor.EndpointMetadata.OfType<ScopeChecks.RequiredScope>().LastOrDefault();
        if (required is null)
        {
            return Task.CompletedTask;
        }

        // Requirements in a list are alternatives: any one of the three ways will do.
        var scopes = required.AnyOf.ToList();
        operation.Security = [.. new[] { BearerScheme, HeaderScheme, QueryScheme }.Select(scheme =>
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = scopes })];

        var names = string.Join(" or ", required.AnyOf.Select(s => $"`{s}`"));
        operation.Description = $"{operation.Description}\n\nNeeds a key with scope {names} (`admin` implies `ingest` and `read`).".TrimStart();
        Problems.Add(operation, StatusCodes.Status401Unauthorized, "No key, or an unknown or revoked one.", ProblemExamples.Unauthorized);
        Problems.Add(operation, StatusCodes.Status403Forbidden, $"The key lacks scope {names}.", ProblemExamples.Forbidden);
        Problems.Add(operation, StatusCodes.Status429TooManyRequests,
            "The key sent more requests than its rate limit (`Stride:Limits`); `Retry-After` says when to retry.", ProblemExamples.TooManyRequests);
        return Task.CompletedTask;
    }
}
