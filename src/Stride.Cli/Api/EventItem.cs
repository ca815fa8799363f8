using System.Text.Json.Serialization;

namespace Stride.Cli.Api;

/// <summary>One item of <c>POST /api/v1/events</c> (SPEC §4.1); null members are left out.</summary>
internal sealed record EventItem
{
    public required string Type { get; init; }

    public required string Identifier { get; init; }

    public string? System { get; init; }

    public long? Timestamp { get; init; }

    public IReadOnlyList<string>? Changes { get; init; }

    public string? Environment { get; init; }

    public string? Result { get; init; }

    public IReadOnlyList<string>? Teams { get; init; }

    public string? Commit { get; init; }

    public bool? Rework { get; init; }

    public long? TimestampCreated { get; init; }

    public long? TimestampResolved { get; init; }

    public string? Deployment { get; init; }

    public static EventItem Change(string identifier, long timestamp, string? system)
        => new() { Type = "change", Identifier = identifier, Timestamp = timestamp, System = system };
}

/// <summary>The answer to an accepted ingestion request.</summary>
internal sealed record StoredResponse(int Stored);

/// <summary>The answer of <c>GET /api/v1/deployments/latest</c>.</summary>
internal sealed record LatestDeployment(string System, string Environment, string Identifier, string Timestamp, string? Commit);

/// <summary>The parts of an RFC 9457 problem the CLI shows.</summary>
internal sealed record Problem(string? Title, string? Detail, Dictionary<string, string[]>? Errors);

[JsonSourceGenerationOptions(
    System.Text.Json.JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<EventItem>))]
[JsonSerializable(typeof(StoredResponse))]
[JsonSerializable(typeof(LatestDeployment))]
[JsonSerializable(typeof(Problem))]
internal sealed partial class CliJson : JsonSerializerContext
{
    /// <summary>Indented, for <c>--dry-run</c> output people read.</summary>
    public static string Indented(IReadOnlyList<EventItem> events)
    {
        var options = new System.Text.Json.JsonSerializerOptions(Default.Options) { WriteIndented = true };
        return System.Text.Json.JsonSerializer.Serialize(events, options.GetTypeInfo(typeof(IReadOnlyList<EventItem>)));
    }
}
