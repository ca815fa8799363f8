using Scalar.AspNetCore;

namespace Stride.Server.OpenApi;

/// <summary>
/// The OpenAPI document of the HTTP API (<c>/openapi/v1.json</c>) and the API reference page that
/// renders it (<c>/api-reference</c>).
/// </summary>
/// <remarks>
/// The document is built at run time, when it is asked for, from the endpoints' metadata and the
/// transformers of this folder; nothing here runs on any other request. Both routes are
/// anonymous: the document describes the API, it holds no data.
/// </remarks>
internal static class OpenApiSetup
{
    public const string DocumentName = "v1";
    public const string ReferencePath = "/api-reference";

    public static IServiceCollection AddStrideOpenApi(this IServiceCollection services)
        => services.AddOpenApi(DocumentName, o =>
        {
            o.AddSchemaTransformer<NumberSchemaTransformer>();
            o.AddDocumentTransformer<DocumentTransformer>();
            o.AddOperationTransformer<OperationTransformer>();
            o.AddOperationTransformer<SecurityTransformer>();
        });

    public static IEndpointRouteBuilder MapStrideOpenApi(this IEndpointRouteBuilder routes)
    {
        routes.MapOpenApi();   // /openapi/{documentName}.json

        // Scalar's script is embedded in its assembly and served from this route. Everything it
        // would fetch from elsewhere is turned off, so the page works on a network with no way
        // out: its default fonts come from a CDN, and telemetry, the AI agent and MCP call home;
        // the developer toolbar only links to Scalar's services.
        routes.MapScalarApiReference(ReferencePath, o => o
            .WithTitle("Stride API reference")
            .HideDeveloperTools()
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .AddPreferredSecuritySchemes(SecurityTransformer.BearerScheme));
        return routes;
    }
}
