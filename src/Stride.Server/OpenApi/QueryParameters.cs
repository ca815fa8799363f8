using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Stride.Server.OpenApi;

/// <summary>The query parameters of the read routes, described once (SPEC §4.5).</summary>
/// <remarks>
/// The read handlers parse <c>HttpContext.Request.Query</c> themselves (MetricsQuery, SeriesQuery,
/// ListRequest), so nothing in their signatures tells the generator about these parameters.
/// </remarks>
internal static class QueryParameters
{
    private const string TimeFormats = "RFC 3339 date-time (`2026-11-01T00:00:00Z`), a date (`2026-11-01`, midnight UTC) or Unix seconds";

    private static readonly Dictionary<string, Func<OpenApiParameter>> All = new()
    {
        ["from"] = () => Make("from", $"Start of the window (inclusive): {TimeFormats}. Default: `to` minus 90 days.",
            Text(), "2026-11-01"),
        ["to"] = () => Make("to", $"End of the window (exclusive): {TimeFormats}. Default: now.", Text(), "2026-11-22"),
        ["system"] = () => new OpenApiParameter
        {
            Name = "system",
            In = ParameterLocation.Query,
            Description = "Systems to include; repeat the parameter (`system=api&system=web`) or separate names with commas. "
                + "A repository URL matches its `host/org/repo` system. Default: every system.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.Array, Items = Text() },
            Style = ParameterStyle.Form,
            Explode = true,
            Example = new JsonArray("api", "github.com/acme/web"),
        },
        ["environment"] = () => Make("environment", "Environment of the deployments counted, compared case-insensitively. Default: `production`.",
            Text(), "production"),
        ["benchmark"] = () => Make("benchmark", "DORA benchmark the performance levels are rated against: `2023` (default) or `2021`.",
            Enum("2023", "2021"), "2023"),
        ["interval"] = () => Make("interval", "Bucket length: `day` (default), `week` (starting Monday) or `month`.",
            Enum("day", "week", "month"), "week"),
        ["tz"] = () => Make("tz", "IANA time zone in which buckets start at midnight. Default: `UTC`.", Text(), "Europe/Lisbon"),
        ["limit"] = () => Make("limit", "Rows per page, 1 to 1000. Default: 50.",
            new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = "1000" }, 50),
        ["cursor"] = () => Make("cursor", "Position to continue from: the `nextCursor` of the previous page, unchanged "
            + "(with `format=csv`, the `Link: <…>; rel=\"next\"` header holds the next page's URL).", Text(), null),
        ["format"] = () => Make("format", "`json` (default) or `csv` (RFC 4180, with a header row).", Enum("json", "csv"), "json"),
        ["identifier"] = () => Make("identifier", "The deployment's identifier.", Text(), "v1.4.0", required: true),
    };

    /// <summary>A new parameter object (operations must not share one: transformers may change it).</summary>
    public static OpenApiParameter Create(string name)
        => All.TryGetValue(name, out var make) ? make() : throw new ArgumentException($"No description of query parameter '{name}'.", nameof(name));

    private static OpenApiParameter Make(string name, string description, OpenApiSchema schema, JsonNode? example, bool required = false) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Description = description,
        Required = required,
        Schema = schema,
        Example = example,
    };

    private static OpenApiSchema Text() => new() { Type = JsonSchemaType.String };

    private static OpenApiSchema Enum(params string[] values) => new()
    {
        Type = JsonSchemaType.String,
        Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))],
    };
}
