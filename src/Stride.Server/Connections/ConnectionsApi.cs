using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using Stride.Core.Events;
using Stride.Server.Auth;
using Stride.Server.Limits;
using Stride.Server.Operations;
using Stride.Storage;

namespace Stride.Server.Connections;

/// <summary>DevLake-compatible webhook connections (SPEC §4.3): the admin routes that make them, and the webhook routes.</summary>
/// <remarks>
/// A connection's key holds only the <see cref="Scope"/> scope, which no other route accepts (403 there), and the
/// connection stores the key's id, which the webhook routes compare with the caller's key (403 on another
/// connection's routes). An <c>admin</c> key of the organization may use every connection's routes too.
/// </remarks>
internal static class ConnectionsApi
{
    /// <summary>The only scope of a connection's key: it opens the webhook routes of that one connection.</summary>
    /// <remarks>Not grantable through <c>POST /api/v1/keys</c>; such keys are made only with their connection.</remarks>
    public const string Scope = "connection";

    public const string WebhookBase = "/api/rest/plugins/webhook";
    private const int MaxNameLength = 100;

    public static IEndpointRouteBuilder MapConnectionsApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/v1/connections").WithTags("Connections").RequireScope(Scopes.Admin);
        admin.MapPost("/", CreateConnectionAsync).WithName("CreateConnection")
            .WithSummary("Create a DevLake-compatible webhook connection; its key is shown this once");
        admin.MapGet("/", ListConnectionsAsync).WithName("ListConnections").WithSummary("List the organization's webhook connections, without keys");

        var webhook = routes.MapGroup(WebhookBase).WithTags("DevLake webhooks").RequireScope(Scope).WithoutRequestTimeout();
        // DevLake's current routes, and the older ones without "connections/" that its docs still show.
        foreach (var (prefix, suffix) in new[] { ("/connections/{id:long}", ""), ("/{id:long}", "Legacy") })
        {
            webhook.MapPost(prefix + "/deployments", PostDeploymentsAsync).WithName("PostDevLakeDeployments" + suffix)
                .WithSummary("Push a DevLake deployment: one Stride deployment per commit").DocumentBody<DevLakeDeploymentRequest>(ConnectionExamples.DeploymentBody);
            webhook.MapPost(prefix + "/issues", PostIssueAsync).WithName("PostDevLakeIssue" + suffix)
                .WithSummary("Push a DevLake issue of any type: an INCIDENT also becomes a Stride incident").DocumentBody<DevLakeIssueRequest>(ConnectionExamples.IssueBody);
            webhook.MapPost(prefix + "/issue/{issueKey}/close", CloseIssueAsync).WithName("CloseDevLakeIssue" + suffix)
                .WithSummary("Resolve an issue (and its incident) now");
        }

        return routes;
    }

    /// <summary>
    /// Documents a JSON body the handler reads itself. Not <c>Accepts</c>: that would refuse (415) the bodies DevLake's
    /// own curl examples send, which carry no <c>Content-Type: application/json</c>.
    /// </summary>
    private static RouteHandlerBuilder DocumentBody<TBody>(this RouteHandlerBuilder builder, string example)
        => builder.AddOpenApiOperationTransformer(async (operation, context, ct) => operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new()
                {
                    Schema = await context.GetOrCreateSchemaAsync(typeof(TBody), null, ct),
                    Example = JsonNode.Parse(example),
                },
            },
        });

    private static async Task<Results<Created<CreatedConnectionResponse>, ValidationProblem>> CreateConnectionAsync(
        CreateConnectionRequest request, HttpContext http, IConnectionStore connections, KeyHasher hasher, TimeProvider time, CancellationToken ct)
    {
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["name"] = [$"is required: 1 to {MaxNameLength} characters."] },
                detail: "The connection needs a name, so that people can tell connections apart.");
        }

        var key = ApiKeys.Generate();
        var created = await connections.CreateConnectionAsync(
            http.User.Organization(), name,
            new NewApiKey(http.User.Organization(), $"connection: {name}", ApiKeys.Prefix(key), await hasher.HashAsync(key), [Scope],
                time.GetUtcNow().ToUnixTimeSeconds()),
            ct);
        var endpoints = Endpoints(http.Request, created.Id);
        return TypedResults.Created((string?)null, new CreatedConnectionResponse(
            created.Id, created.Name, key, endpoints.Deployments, endpoints.Issues, endpoints.Close));
    }

    private static async Task<Ok<ConnectionResponse[]>> ListConnectionsAsync(HttpContext http, IConnectionStore connections, CancellationToken ct)
    {
        var list = await connections.ListConnectionsAsync(http.User.Organization(), ct);
        return TypedResults.Ok(list.Select(c =>
        {
            var endpoints = Endpoints(http.Request, c.Id);
            return new ConnectionResponse(c.Id, c.Name, c.KeyId, Timestamps.ToRfc3339(c.CreatedAt),
                endpoints.Deployments, endpoints.Issues, endpoints.Close);
        }).ToArray());
    }

    private static async Task<Results<Ok<DevLakeResponse>, ValidationProblem, ProblemHttpResult>> PostDeploymentsAsync(
        long id, HttpContext http, IConnectionStore connections, IEventStore store, StoredEventCounters counters, CancellationToken ct)
    {
        if (await FindOwnConnectionAsync(id, http.User, connections, ct) is { Problem: { } denied })
        {
            return denied;
        }

        using var body = await ReadBodyAsync(http.Request, ct);
        if (body.Problem is { } bad)
        {
            return bad;
        }

        var (events, errors) = DevLakeMapping.ToDeployments(body.Document!.RootElement);
        if (errors.Count > 0)
        {
            return DevLakeProblems.From(errors);
        }

        var organization = http.User.Organization();
        await store.AppendAsync(organization, events, ct);
        counters.Count(organization, events);
        return TypedResults.Ok(DevLakeResponse.Done);
    }

    private static async Task<Results<Ok<DevLakeResponse>, ValidationProblem, ProblemHttpResult>> PostIssueAsync(
        long id, HttpContext http, IConnectionStore connections, IIssueStore issues, StoredEventCounters counters, CancellationToken ct)
    {
        if (await FindOwnConnectionAsync(id, http.User, connections, ct) is { Problem: { } denied })
        {
            return denied;
        }

        using var body = await ReadBodyAsync(http.Request, ct);
        if (body.Problem is { } bad)
        {
            return bad;
        }

        var (issue, incident, errors) = DevLakeMapping.ToIssue(body.Document!.RootElement);
        if (errors.Count > 0)
        {
            return DevLakeProblems.From(errors);
        }

        Event[] events = incident is null ? [] : [incident];
        var organization = http.User.Organization();
        await issues.UpsertIssuesAsync(organization, [issue!], events, ct);
        counters.Count(organization, events);
        return TypedResults.Ok(DevLakeResponse.Done);
    }

    private static async Task<Results<Ok<DevLakeResponse>, ProblemHttpResult>> CloseIssueAsync(
        long id, string issueKey, HttpContext http, IConnectionStore connections, IEventStore store, IIssueStore issues,
        StoredEventCounters counters, TimeProvider time, CancellationToken ct)
    {
        if (await FindOwnConnectionAsync(id, http.User, connections, ct) is { Problem: { } denied })
        {
            return denied;
        }

        // Closing twice keeps the first resolution time, as DevLake does.
        // REVIEW: the incidents are read, then written: a resolution pushed to the native API between the two is
        // overwritten by "now". Rare (two tools closing one incident within milliseconds); the issue itself is
        // resolved inside the write, so it has no such gap.
        var organization = http.User.Organization();
        var incidents = await store.FindIncidentsAsync(organization, issueKey, ct);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var open = incidents.Where(i => i.TimestampResolved is null).Select(i => (Event)(i with { TimestampResolved = now })).ToList();
        var found = await issues.ResolveIssueAsync(organization, issueKey, now, open, ct);
        counters.Count(organization, open);
        if (found == 0 && incidents.Count == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
                detail: $"This organization has no issue or incident '{issueKey}'.");
        }

        return TypedResults.Ok(DevLakeResponse.Done);
    }

    /// <summary>
    /// The organization's connection <paramref name="id"/>, or the answer for a caller that may not use it:
    /// 403 for a connection key of any other connection (whether or not this one exists: such a key learns
    /// nothing), 404 for an admin key when the organization has no such connection.
    /// </summary>
    private static async Task<(ConnectionRecord? Connection, ProblemHttpResult? Problem)> FindOwnConnectionAsync(
        long id, ClaimsPrincipal user, IConnectionStore connections, CancellationToken ct)
    {
        var connection = await connections.FindConnectionAsync(user.Organization(), id, ct);
        var isAdmin = user.HasClaim(ApiKeyAuthenticationHandler.ScopeClaim, Scopes.Admin);
        if (!isAdmin)
        {
            var keyId = long.Parse(user.FindFirstValue(ApiKeyAuthenticationHandler.KeyIdClaim)!, CultureInfo.InvariantCulture);
            return connection is not null && connection.KeyId == keyId
                ? (connection, null)
                : (null, TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                    detail: "This key belongs to another connection: a connection's key is valid only on its own routes."));
        }

        return connection is not null
            ? (connection, null)
            : (null, TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"This organization has no connection {id}."));
    }

    /// <summary>Parses the body as one JSON object; the problem to answer otherwise.</summary>
    private static async Task<ParsedBody> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            // Read to the end of the body as the ingestion routes read it, whatever a stopping server does to the read.
            var document = JsonDocument.Parse(await Ingestion.EventReader.ReadBodyBytesAsync(request.BodyReader, ct));
            var error = document.RootElement.ValueKind != JsonValueKind.Object
                ? new DevLakeError("", "must be one JSON object.")
                : Ingestion.TextRules.FindMalformed(document.RootElement) is { } malformed
                    ? new DevLakeError(malformed, "is not text: it holds bytes that are not UTF-8, or an unpaired surrogate.")
                    : null;
            if (error is null)
            {
                return new ParsedBody(document, null);
            }

            document.Dispose();
            return new ParsedBody(null, DevLakeProblems.From([error]));
        }
        catch (JsonException e)
        {
            return new ParsedBody(null, DevLakeProblems.From([new DevLakeError("", $"is not valid JSON: {e.Message}")]));
        }
    }

    /// <summary>The absolute webhook URLs of a connection, from the request's scheme, host and path base, as DevLake shows them.</summary>
    private static (string Deployments, string Issues, string Close) Endpoints(HttpRequest request, long id)
    {
        var root = $"{request.Scheme}://{request.Host}{request.PathBase}{WebhookBase}/connections/{id.ToString(CultureInfo.InvariantCulture)}";
        return ($"{root}/deployments", $"{root}/issues", $"{root}/issue/:issueKey/close");
    }

    /// <summary>A parsed body, or the 400 to answer instead.</summary>
    private sealed record ParsedBody(JsonDocument? Document, ValidationProblem? Problem) : IDisposable
    {
        public void Dispose() => Document?.Dispose();
    }
}

/// <summary>Turns DevLake body errors into RFC 9457 validation problems.</summary>
internal static class DevLakeProblems
{
    private const int MaxListed = 50;

    public static ValidationProblem From(IReadOnlyList<DevLakeError> errors)
    {
        var first = errors[0];
        var byField = errors.Take(MaxListed)
            .GroupBy(e => e.Field.Length == 0 ? "body" : e.Field)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
        var extensions = new Dictionary<string, object?>();
        if (first.Index is { } index)
        {
            extensions["index"] = index;
        }

        var what = first.Field.Length == 0 ? "The body" : $"'{first.Field}'";
        var more = errors.Count > 1 ? $" ({errors.Count} errors in all; nothing was stored)" : " Nothing was stored.";
        return TypedResults.ValidationProblem(byField, detail: $"{what} {first.Message}{more}", extensions: extensions);
    }
}
