using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Stride.Server.Auth;
using Stride.Server.Ingestion;
using Stride.Server.Limits;
using Stride.Server.Operations;
using Stride.Storage;

namespace Stride.Server.Webhooks;

/// <summary>
/// Provider webhooks (SPEC §4.4): <c>POST /v1/ingestion/{provider}</c> for GitHub, GitLab and
/// PagerDuty, and the admin routes that set each provider's signing secret.
/// </summary>
/// <remarks>
/// Nothing here runs on other routes: the secret is read, and the signature checked, only for a
/// webhook request.
/// </remarks>
internal static class WebhooksApi
{
    public const int MaxSecretLength = 1000;

    /// <summary>The providers, by the name in the URL.</summary>
    private static readonly Dictionary<string, Func<JsonElement, IHeaderDictionary, WebhookPayload, WebhookMapping>> Mappers =
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["github"] = GitHubWebhooks.Map,
            ["gitlab"] = GitLabWebhooks.Map,
            ["pagerduty"] = PagerDutyWebhooks.Map,
        };

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder routes)
    {
        // The literal /v1/ingestion/cli route (PulseApi) takes precedence over this parameter.
        routes.MapPost("/v1/ingestion/{provider}", PostWebhookAsync).WithTags("Webhooks").RequireScope(Scopes.Ingest).WithoutRequestTimeout()
            .WithName("PostProviderWebhook").WithSummary("Receive a GitHub, GitLab or PagerDuty webhook");

        var secrets = routes.MapGroup("/api/v1/webhooks").WithTags("Webhooks").RequireScope(Scopes.Admin);
        secrets.MapPut("/{provider}/secret", SetSecretAsync)
            .WithName("SetWebhookSecret").WithSummary("Set the secret that signs a provider's webhooks");
        secrets.MapDelete("/{provider}/secret", DeleteSecretAsync)
            .WithName("DeleteWebhookSecret").WithSummary("Clear a provider's webhook secret");
        return routes;
    }

    private static async Task<Results<Ok<WebhookResponse>, Accepted<WebhookResponse>, ValidationProblem, ProblemHttpResult>> PostWebhookAsync(
        string provider, string? system, HttpContext http, IWebhookStore store, StoredEventCounters counters, CancellationToken ct)
    {
        if (!Mappers.TryGetValue(provider, out var map))
        {
            return UnknownProvider(provider);
        }

        var name = provider.ToLowerInvariant();
        var organization = http.User.Organization();
        var body = await EventReader.ReadBodyBytesAsync(http.Request.BodyReader, ct);

        if (await store.FindWebhookSecretAsync(organization, name, ct) is { } secret && !IsSigned(name, http.Request.Headers, body, secret))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: $"The {SignatureHeader(name)} header is missing or does not match the organization's {name} webhook secret. Nothing was stored.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            return IngestionProblems.From([new IngestionError(null, "", $"is not valid JSON ({e.Message})")]);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return IngestionProblems.From([new IngestionError(null, "", "must be a JSON object.")]);
            }

            if (TextRules.FindMalformed(document.RootElement) is { } malformed)
            {
                return IngestionProblems.From([new IngestionError(null, malformed, "is not text: it holds bytes that are not UTF-8, or an unpaired surrogate.")]);
            }

            var payload = new WebhookPayload(system);
            var mapping = map(document.RootElement, http.Request.Headers, payload);
            if (!payload.Ok)
            {
                return IngestionProblems.From(payload.Errors);
            }

            if (mapping.Events.Count == 0)
            {
                return TypedResults.Accepted((string?)null, new WebhookResponse(0, false));
            }

            // Ids are short (a UUID); a longer one is kept as its hash rather than cut, which could merge two deliveries.
            var delivery = mapping.Delivery is { Length: > 200 } id
                ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id)))
                : mapping.Delivery;
            var result = await store.AppendWebhookDeliveryAsync(organization, name, delivery, mapping.Events, ct);
            if (!result.Duplicate)
            {
                counters.Count(organization, mapping.Events);
            }

            return TypedResults.Ok(new WebhookResponse(result.Stored, result.Duplicate));
        }
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> SetSecretAsync(
        string provider, WebhookSecretRequest request, HttpContext http, IWebhookStore store, CancellationToken ct)
    {
        if (!Mappers.ContainsKey(provider))
        {
            return UnknownProvider(provider);
        }

        if (string.IsNullOrEmpty(request.Secret) || request.Secret.Length > MaxSecretLength)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["secret"] = [$"is required: 1 to {MaxSecretLength} characters."] },
                detail: "The secret is the one configured in the provider's webhook settings.");
        }

        await store.SetWebhookSecretAsync(http.User.Organization(), provider.ToLowerInvariant(), request.Secret, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteSecretAsync(
        string provider, HttpContext http, IWebhookStore store, CancellationToken ct)
    {
        if (!Mappers.ContainsKey(provider))
        {
            return UnknownProvider(provider);
        }

        return await store.DeleteWebhookSecretAsync(http.User.Organization(), provider.ToLowerInvariant(), ct) == 0
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No {provider.ToLowerInvariant()} webhook secret is set.")
            : TypedResults.NoContent();
    }

    private static bool IsSigned(string provider, IHeaderDictionary headers, byte[] body, string secret) => provider switch
    {
        "github" => WebhookSignatures.IsValidGitHub(GitHubWebhooks.Header(headers, "X-Hub-Signature-256"), body, secret),
        "gitlab" => WebhookSignatures.IsValidGitLab(GitHubWebhooks.Header(headers, "X-Gitlab-Token"), secret),
        "pagerduty" => WebhookSignatures.IsValidPagerDuty(GitHubWebhooks.Header(headers, "X-PagerDuty-Signature"), body, secret),
        _ => false,
    };

    private static string SignatureHeader(string provider) => provider switch
    {
        "github" => "X-Hub-Signature-256",
        "gitlab" => "X-Gitlab-Token",
        _ => "X-PagerDuty-Signature",
    };

    private static ProblemHttpResult UnknownProvider(string provider)
        => TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound, title: "Not Found",
            detail: $"Unknown webhook provider '{Ingestion.EventValidator.Shorten(provider)}': use github, gitlab or pagerduty.");
}

/// <summary>The answer to a webhook: how many events were stored, and whether the delivery had been stored before.</summary>
internal sealed record WebhookResponse(int Stored, bool Duplicate);

/// <summary>The body of <c>PUT /api/v1/webhooks/{provider}/secret</c>.</summary>
internal sealed record WebhookSecretRequest(string? Secret);
