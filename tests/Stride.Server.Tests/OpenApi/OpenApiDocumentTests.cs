using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Stride.Server.Auth;

namespace Stride.Server.Tests.OpenApi;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> against the routes the server really maps.</summary>
public sealed partial class OpenApiDocumentTests
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    [Fact]
    public async Task DocumentIsOpenApi3AndServedWithoutAKey()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateClient();
        var response = await client.GetAsync("/openapi/v1.json", Http.Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var document = await response.ReadJsonAsync();
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        Assert.Equal("Stride API", document.GetProperty("info").GetProperty("title").GetString());
    }

    [Fact]
    public async Task DocumentIsValidAndEveryReferenceResolves()
    {
        await using var app = new StrideApplication();
        using var client = app.CreateClient();
        var text = await client.GetStringAsync("/openapi/v1.json", Http.Ct);
        var result = Microsoft.OpenApi.OpenApiDocument.Parse(text, "json");
        Assert.NotNull(result.Document);
        Assert.True(result.Diagnostic is null || result.Diagnostic.Errors.Count == 0,
            string.Join("\n", result.Diagnostic?.Errors.Select(e => $"{e.Pointer}: {e.Message}") ?? []));

        var document = JsonDocument.Parse(text).RootElement;
        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var reference in References(document))
        {
            const string Prefix = "#/components/schemas/";
            Assert.StartsWith(Prefix, reference);
            Assert.True(schemas.TryGetProperty(reference[Prefix.Length..], out _), $"Dangling reference {reference}.");
        }
    }

    [Fact]
    public async Task DocumentListsEveryMappedRoute()
    {
        await using var app = new StrideApplication();
        var document = await GetDocumentAsync(app);
        var documented = Operations(document).Select(o => $"{o.Method} {o.Path}").Order().ToArray();
        var mapped = ApiEndpoints(app).Select(e => $"{e.Method} {e.Path}").Distinct().Order().ToArray();

        // Either list may hold what the other lacks: a new route without docs, or docs of a removed route.
        Assert.Equal(mapped, documented);
        Assert.Contains("POST /v1/ingestion/cli", documented);
        Assert.Contains("GET /api/v1/metrics/series", documented);
    }

    [Fact]
    public async Task EveryOperationHasASummaryADescriptionAndDescribedParameters()
    {
        await using var app = new StrideApplication();
        foreach (var (method, path, operation) in Operations(await GetDocumentAsync(app)))
        {
            Assert.False(string.IsNullOrWhiteSpace(Text(operation, "summary")), $"{method} {path} has no summary.");
            Assert.False(string.IsNullOrWhiteSpace(Text(operation, "description")), $"{method} {path} has no description.");

            // The security note alone would make a description: the route's own entry must exist.
            Assert.True(Stride.Server.OpenApi.Operations.All.ContainsKey(Text(operation, "operationId") ?? ""),
                $"{method} {path} has no entry in src/Stride.Server/OpenApi/Operations.cs (or no WithName).");
            foreach (var parameter in Array(operation, "parameters"))
            {
                Assert.False(string.IsNullOrWhiteSpace(Text(parameter, "description")),
                    $"{method} {path}: parameter '{Text(parameter, "name")}' has no description.");
            }
        }
    }

    [Fact]
    public async Task ReadRoutesDocumentTheQueryParametersTheyRead()
    {
        await using var app = new StrideApplication();
        var operations = Operations(await GetDocumentAsync(app)).ToDictionary(o => $"{o.Method} {o.Path}", o => o.Operation);
        Assert.Equal(["from", "to", "system", "environment", "benchmark"], ParameterNames(operations["GET /api/v1/metrics"]));
        Assert.Equal(["from", "to", "system", "environment", "benchmark", "interval", "tz"], ParameterNames(operations["GET /api/v1/metrics/series"]));
        foreach (var list in new[] { "GET /api/v1/deployments", "GET /api/v1/incidents", "GET /api/v1/changes" })
        {
            Assert.Equal(["from", "to", "system", "environment", "limit", "cursor", "format"], ParameterNames(operations[list]));
            var content = operations[list].GetProperty("responses").GetProperty("200").GetProperty("content");
            Assert.True(content.TryGetProperty("text/csv", out _), $"{list} does not document format=csv.");
            Assert.True(content.GetProperty("application/json").TryGetProperty("example", out _), $"{list} has no example answer.");
        }

        var system = Array(operations["GET /api/v1/metrics"], "parameters").Single(p => Text(p, "name") == "system");
        Assert.Equal("array", system.GetProperty("schema").GetProperty("type").GetString());
    }

    [Fact]
    public async Task EveryIngestionRouteHasARequestBodyWithExamples()
    {
        await using var app = new StrideApplication();
        var ingestion = IngestionOperations(await GetDocumentAsync(app)).ToArray();
        Assert.Equal(5, ingestion.Length);
        foreach (var (method, path, examples) in ingestion)
        {
            Assert.True(examples.Count > 0, $"{method} {path} has no request example.");
        }
    }

    [Fact]
    public async Task EveryIngestionRouteDocumentsItsAnswerAsTheCountStored()
    {
        await using var app = new StrideApplication();
        var document = await GetDocumentAsync(app);
        var ingestion = Operations(document).Where(o => Array(o.Operation, "tags").Any(t => t.GetString() == "Ingestion")).ToArray();
        Assert.Equal(5, ingestion.Length);
        foreach (var (method, path, operation) in ingestion)
        {
            var ok = operation.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
            var schema = ok.TryGetProperty("$ref", out var reference)
                ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
                : ok;
            Assert.True(schema.GetProperty("properties").TryGetProperty("stored", out var stored), $"{method} {path}: no 'stored' in its 200 answer.");
            Assert.Contains("integer", stored.GetProperty("type").GetRawText(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RoutesNeedingAKeyDeclareTheSecurityRequirementAnd401And403()
    {
        await using var app = new StrideApplication();
        var document = await GetDocumentAsync(app);
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.Equal("X-Api-Key", schemes.GetProperty("apiKeyHeader").GetProperty("name").GetString());
        Assert.Equal("api_key", schemes.GetProperty("apiKeyQuery").GetProperty("name").GetString());

        var operations = Operations(document).ToDictionary(o => $"{o.Method} {o.Path}", o => o.Operation);
        foreach (var endpoint in ApiEndpoints(app))
        {
            var operation = operations[$"{endpoint.Method} {endpoint.Path}"];
            if (endpoint.Scope is null)
            {
                Assert.False(operation.TryGetProperty("security", out _), $"{endpoint.Path} needs no key but declares one.");
                continue;
            }

            var requirements = Array(operation, "security");
            Assert.True(requirements.Length == 3, $"{endpoint.Method} {endpoint.Path} does not declare the three ways of sending a key.");
            foreach (var requirement in requirements)
            {
                var scheme = requirement.EnumerateObject().Single();
                Assert.True(schemes.TryGetProperty(scheme.Name, out _), $"Unknown security scheme '{scheme.Name}'.");
                Assert.Equal(endpoint.Scope.AnyOf, scheme.Value.EnumerateArray().Select(s => s.GetString()!).ToArray());
            }

            foreach (var status in new[] { "401", "403" })
            {
                var response = operation.GetProperty("responses").GetProperty(status);
                Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out _),
                    $"{endpoint.Method} {endpoint.Path}: {status} is not documented as problem+json.");
            }
        }
    }

    [Fact]
    public async Task ErrorAnswersAreProblemDetailsWithExamples()
    {
        await using var app = new StrideApplication();
        foreach (var (method, path, operation) in Operations(await GetDocumentAsync(app)))
        {
            foreach (var response in operation.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
            {
                var content = response.Value.GetProperty("content");
                Assert.True(content.TryGetProperty("application/problem+json", out var problem), $"{method} {path} {response.Name} is not problem+json.");
                Assert.Equal(int.Parse(response.Name, System.Globalization.CultureInfo.InvariantCulture),
                    problem.GetProperty("example").GetProperty("status").GetInt32());
            }
        }
    }

    [Fact]
    public async Task IngestionRequestExamplesAreAcceptedByTheServer()
    {
        await using var app = new StrideApplication();
        var document = await GetDocumentAsync(app);
        using var client = app.CreateClient(await app.CreateKeyAsync("ingest"));
        var posted = 0;
        foreach (var (_, path, examples) in IngestionOperations(document))
        {
            foreach (var (contentType, name, body) in examples)
            {
                var response = await client.PostJsonAsync(path, body, contentType);
                var text = await response.Content.ReadAsStringAsync(Http.Ct);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"Example '{name}' ({contentType}) of {path}: {(int)response.StatusCode} {text}");
                posted++;
            }
        }

        Assert.True(posted >= 10, $"Only {posted} examples were posted.");
    }

    [Fact]
    public async Task CreateKeyRequestExampleIsAcceptedByTheServer()
    {
        await using var app = new StrideApplication();
        var document = await GetDocumentAsync(app);
        var example = document.GetProperty("paths").GetProperty("/api/v1/keys").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        using var admin = app.CreateAdminClient();
        var response = await admin.PostJsonAsync("/api/v1/keys", example.GetRawText());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task<JsonElement> GetDocumentAsync(StrideApplication app)
    {
        using var client = app.CreateClient();
        var response = await client.GetAsync("/openapi/v1.json", Http.Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private static IEnumerable<(string Method, string Path, JsonElement Operation)> Operations(JsonElement document)
        => document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(o => Methods.Contains(o.Name))
            .Select(o => (o.Name.ToUpperInvariant(), path.Name, o.Value)));

    /// <summary>The ingestion operations and each request example: content type, name, and the body as text.</summary>
    private static IEnumerable<(string Method, string Path, List<(string ContentType, string Name, string Body)> Examples)> IngestionOperations(JsonElement document)
        => Operations(document)
            .Where(o => Array(o.Operation, "tags").Any(t => t.GetString() == "Ingestion"))
            .Select(o =>
            {
                var examples = new List<(string, string, string)>();
                if (o.Operation.TryGetProperty("requestBody", out var body))
                {
                    foreach (var media in body.GetProperty("content").EnumerateObject())
                    {
                        if (media.Value.TryGetProperty("examples", out var named))
                        {
                            examples.AddRange(named.EnumerateObject().Select(e => (media.Name, e.Name, e.Value.GetProperty("value").GetRawText())));
                        }

                        if (media.Value.TryGetProperty("example", out var single))
                        {
                            // NDJSON is text: its example is a JSON string holding the lines.
                            var text = single.ValueKind == JsonValueKind.String ? single.GetString()! : single.GetRawText();
                            examples.Add((media.Name, "example", text));
                        }
                    }
                }

                return (o.Method, o.Path, examples);
            });

    /// <summary>The minimal-API routes of the app, as OpenAPI writes their paths, with the scope they need.</summary>
    private static IEnumerable<(string Method, string Path, ScopeChecks.RequiredScope? Scope)> ApiEndpoints(StrideApplication app)
        => app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            // Route handlers (minimal APIs) carry their handler's MethodInfo; pages and static files do not.
            .Where(e => e.Metadata.GetMetadata<System.Reflection.MethodInfo>() is not null)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(method =>
                (method, OpenApiPath(e.RoutePattern.RawText!), e.Metadata.GetMetadata<ScopeChecks.RequiredScope>())));

    // "/api/v1/keys/{id:long}" → "/api/v1/keys/{id}", "/api/v1/metrics/" → "/api/v1/metrics".
    private static string OpenApiPath(string pattern)
    {
        var path = "/" + RouteConstraint().Replace(pattern, "{$1}").Trim('/');
        return path;
    }

    private static IEnumerable<string> References(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p =>
            p.Name == "$ref" && p.Value.ValueKind == JsonValueKind.String ? [p.Value.GetString()!] : References(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(References),
        _ => [],
    };

    private static string[] ParameterNames(JsonElement operation) => Array(operation, "parameters").Select(p => Text(p, "name")!).ToArray();

    private static JsonElement[] Array(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) ? [.. value.EnumerateArray()] : [];

    private static string? Text(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) ? value.GetString() : null;

    [GeneratedRegex(@"\{([^}:=?]+)[^}]*\}")]
    private static partial Regex RouteConstraint();
}
