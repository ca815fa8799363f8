using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Stride.Server.OpenApi;

/// <summary>Describes numbers as numbers.</summary>
/// <remarks>
/// The web JSON defaults read numbers from strings too, so the generator types every number as
/// "integer or string" with a digits pattern. Every generated schema here describes an answer
/// (the ingestion bodies' schemas are written by hand, in <see cref="Schemas"/>), and the
/// server always writes numbers as numbers.
/// </remarks>
internal sealed class NumberSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is { } type && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0 && type.HasFlag(JsonSchemaType.String))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        return Task.CompletedTask;
    }
}
