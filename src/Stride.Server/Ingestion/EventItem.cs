using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stride.Server.Ingestion;

/// <summary>One event as the native API receives it, before validation.</summary>
/// <remarks>Every field is optional here so that the validator, not the parser, names what is missing.</remarks>
internal sealed class EventItem
{
    public string? Type { get; set; }
    public string? Identifier { get; set; }
    public string? System { get; set; }

    [JsonConverter(typeof(TimestampConverter))]
    public long? Timestamp { get; set; }

    public List<string?>? Changes { get; set; }
    public string? Environment { get; set; }
    public string? Result { get; set; }
    public List<string?>? Teams { get; set; }
    public string? Commit { get; set; }
    public bool? Rework { get; set; }

    [JsonConverter(typeof(TimestampConverter))]
    public long? TimestampCreated { get; set; }

    [JsonConverter(typeof(TimestampConverter))]
    public long? TimestampResolved { get; set; }

    public string? Deployment { get; set; }
}

/// <summary>Reads a timestamp given as integer Unix seconds or as an RFC 3339 string with an offset.</summary>
internal sealed class TimestampConverter : JsonConverter<long?>
{
    public const string Expected = "must be Unix seconds or an RFC 3339 date-time with an offset, such as 2026-11-01T12:00:00Z";

    public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        long seconds;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (!reader.TryGetInt64(out seconds))
                {
                    throw new JsonException("must be whole Unix seconds");
                }

                break;
            case JsonTokenType.String:
                var text = reader.GetString()!;
                if (!long.TryParse(text, global::System.Globalization.NumberStyles.None, global::System.Globalization.CultureInfo.InvariantCulture, out seconds)
                    && !Core.Events.Timestamps.TryParseRfc3339(text, out seconds))
                {
                    throw new JsonException(Expected);
                }

                break;
            default:
                throw new JsonException(Expected);
        }

        return Core.Events.Timestamps.IsInRange(seconds)
            ? seconds
            : throw new JsonException("is out of range: it must lie between 1970-01-01T00:00:01Z and 9999-12-31T23:59:59Z");
    }

    public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options)
        => throw new NotSupportedException("Timestamps are only read.");
}

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    AllowDuplicateProperties = false,
    MaxDepth = 16,
    ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(EventItem))]
[JsonSerializable(typeof(List<EventItem?>))]
internal sealed partial class IngestionJsonContext : JsonSerializerContext;
