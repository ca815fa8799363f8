using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Stride.Server.OpenApi;

/// <summary>Applies <see cref="Operations"/>: descriptions, the query parameters, request bodies and examples.</summary>
internal sealed class OperationTransformer : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.OperationId is not { } id || !Operations.All.TryGetValue(id, out var doc))
        {
            return;   // the tests name the route that has no entry
        }

        operation.Description = doc.Description;
        AddParameters(operation, doc);
        if (doc.Body is { } body)
        {
            operation.RequestBody = RequestBody(body);
        }
        else if (doc.BodyExample is { } example && operation.RequestBody?.Content?.TryGetValue("application/json", out var media) == true)
        {
            media.Example = JsonNode.Parse(example);
        }

        operation.Responses ??= [];
        if (doc.OkType is { } type)
        {
            var schema = await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
            operation.Responses["200"] = new OpenApiResponse
            {
                Description = "OK",
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        }

        var success = operation.Responses.Where(r => r.Key.StartsWith('2')).Select(r => r.Value).OfType<OpenApiResponse>().FirstOrDefault();
        if (success?.Content is { } content)
        {
            if (doc.Ok is { } ok && content.TryGetValue("application/json", out var json))
            {
                json.Example = JsonNode.Parse(ok);
            }

            if (doc.Csv is { } csv)
            {
                content["text/csv"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String }, Example = JsonValue.Create(csv) };
            }
        }

        foreach (var error in doc.Errors)
        {
            Problems.Add(operation, error.Status, error.Description, error.Example);
        }
    }

    private static void AddParameters(OpenApiOperation operation, OperationDoc doc)
    {
        operation.Parameters ??= [];
        foreach (var parameter in operation.Parameters.OfType<OpenApiParameter>())
        {
            if (parameter.Name is { } name && doc.Parameters.TryGetValue(name, out var description))
            {
                parameter.Description = description;
            }
        }

        foreach (var name in doc.Query)
        {
            operation.Parameters.Add(QueryParameters.Create(name));
        }
    }

    private static OpenApiRequestBody RequestBody(BodyDoc body)
    {
        IOpenApiSchema schema = body.OneOrMany
            ? Schemas.OneOrMany(body.Schema)
            : body.Ndjson is null
                ? Schemas.Ref(body.Schema)
                : new OpenApiSchema { Type = JsonSchemaType.Array, Items = Schemas.Ref(body.Schema) };
        var content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new()
            {
                Schema = schema,
                Examples = body.Examples.ToDictionary(
                    e => e.Name, IOpenApiExample (e) => new OpenApiExample { Summary = e.Summary, Value = e.Value }),
            },
        };
        if (body.Ndjson is { } ndjson)
        {
            content["application/x-ndjson"] = new()
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = $"One {body.Schema} object per line." },
                Example = JsonValue.Create(ndjson),
            };
        }

        return new OpenApiRequestBody { Required = true, Content = content };
    }
}
