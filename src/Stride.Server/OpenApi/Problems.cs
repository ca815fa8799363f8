using Microsoft.OpenApi;

namespace Stride.Server.OpenApi;

/// <summary>Adds <c>application/problem+json</c> answers (RFC 9457, SPEC §4) to an operation.</summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    /// <summary>Documents <paramref name="status"/> with the Problem schema and an example, keeping a description already there.</summary>
    public static void Add(OpenApiOperation operation, int status, string description, string example)
    {
        operation.Responses ??= [];
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses.TryGetValue(key, out var existing) && existing is OpenApiResponse response)
        {
            response.Description = description;
        }
        else
        {
            response = new OpenApiResponse { Description = description };
            operation.Responses[key] = response;
        }

        // The generator's own schema for a ValidationProblem result is replaced too: one Problem
        // schema documents every error body, with the fields Stride adds (index, traceId).
        response.Content = new Dictionary<string, OpenApiMediaType>
        {
            [ContentType] = new() { Schema = Schemas.Ref(Schemas.Problem), Example = Parse(example) },
        };
    }

    private static System.Text.Json.Nodes.JsonNode Parse(string json) => System.Text.Json.Nodes.JsonNode.Parse(json)!;
}
