using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Stride.Server.OpenApi;

/// <summary>The document's title and introduction, the tags' descriptions, and the components this folder defines.</summary>
internal sealed class DocumentTransformer : IOpenApiDocumentTransformer
{
    private static readonly Dictionary<string, string> Tags = new()
    {
        ["Ingestion"] = "Pushing changes, deployments and incidents (`ingest` scope).",
        ["Metrics"] = "The DORA metrics of a window, and their series by day, week or month (`read` scope).",
        ["Deployments"] = "Reading deployments.",
        ["Changes"] = "Reading changes (`read` scope).",
        ["Incidents"] = "Reading incidents (`read` scope).",
        ["Systems"] = "The systems events were sent for (`read` scope).",
        ["Keys"] = "The organization's API keys (`admin` scope).",
        ["Health"] = "Liveness and readiness probes, without a key.",
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Stride API",
            Version = "v1",
            Description = "Stride computes the DORA metrics from the changes, deployments and incidents your pipelines push.\n\n"
                + "Send an API key as `Authorization: Bearer <key>`, `X-Api-Key: <key>` or `?api_key=<key>`. Keys have scopes "
                + "`ingest`, `read` and `admin` (which implies the others): a missing or unknown key gets 401, a key without the "
                + "route's scope 403. Errors are `application/problem+json` (RFC 9457) naming the field, and the item's index in a batch; "
                + "a rejected request stores nothing. Each key may send 1,000 requests per second by default (429 with `Retry-After` "
                + "beyond); bodies are limited to 30 MB (413) and reads to 100 s (503).",
        };

        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var (name, schema) in Schemas.All())
        {
            document.Components.Schemas[name] = schema;
        }

        // Operations document their error answers with the Problem schema instead (Problems.Add), which
        // also shows the fields Stride adds; a route left pointing at this one fails the document tests.
        document.Components.Schemas.Remove("HttpValidationProblemDetails");
        document.Components.SecuritySchemes = SecurityTransformer.Schemes();

        // In this order on the reference page: what a pipeline sends first, operations last.
        document.Tags = new HashSet<OpenApiTag>(
            Tags.Keys.Union((document.Tags ?? new HashSet<OpenApiTag>()).Select(t => t.Name).OfType<string>())
                .Select(name => new OpenApiTag { Name = name, Description = Tags.GetValueOrDefault(name) }));
        return Task.CompletedTask;
    }
}
