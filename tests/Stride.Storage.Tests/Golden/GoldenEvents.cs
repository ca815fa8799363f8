using System.Text.Json;
using Stride.Core.Events;

namespace Stride.Storage.Tests.Golden;

/// <summary>A test-only reader of the <c>POST /api/v1/events</c> items the golden files hold.</summary>
internal static class GoldenEvents
{
    public static Event Parse(JsonElement item) => item.GetProperty("type").GetString() switch
    {
        "change" => new Change(
            SystemOf(item),
            item.GetProperty("identifier").GetString()!,
            Timestamp(item.GetProperty("timestamp"))),
        "deployment" => new Deployment(
            SystemOf(item),
            item.GetProperty("identifier").GetString()!,
            Timestamp(item.GetProperty("timestamp")),
            EnvironmentName.Normalize(OptionalString(item, "environment")),
            ResultOf(OptionalString(item, "result")),
            Strings(item, "changes"),
            Strings(item, "teams"),
            OptionalString(item, "commit"),
            item.TryGetProperty("rework", out var rework) && rework.ValueKind == JsonValueKind.True),
        "incident" => new Incident(
            SystemOf(item),
            item.GetProperty("identifier").GetString()!,
            Timestamp(item.GetProperty("timestampCreated")),
            item.TryGetProperty("timestampResolved", out var resolved) && resolved.ValueKind != JsonValueKind.Null
                ? Timestamp(resolved)
                : null,
            OptionalString(item, "deployment")),
        var type => throw new InvalidDataException($"Unknown event type '{type}'."),
    };

    public static long Timestamp(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetInt64();
        }

        var text = value.GetString() ?? throw new InvalidDataException("Null timestamp.");
        return Timestamps.TryParseRfc3339(text, out var seconds)
            ? seconds
            : throw new InvalidDataException($"Bad timestamp '{text}'.");
    }

    private static string SystemOf(JsonElement item) => SystemName.Normalize(OptionalString(item, "system"));

    private static DeploymentResult ResultOf(string? result) => result?.ToLowerInvariant() switch
    {
        null or "success" => DeploymentResult.Success,
        "failure" => DeploymentResult.Failure,
        "aborted" => DeploymentResult.Aborted,
        _ => throw new InvalidDataException($"Unknown result '{result}'."),
    };

    private static string? OptionalString(JsonElement item, string name)
        => item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string[] Strings(JsonElement item, string name)
        => item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray().Select(v => v.GetString()!)]
            : [];
}
