using System.Globalization;
using System.Text.Json;
using Stride.Core.Events;
using Stride.Server.Ingestion;

namespace Stride.Server.Webhooks;

/// <summary>Reads the fields a provider mapping needs from a webhook's JSON, collecting what is missing or malformed.</summary>
/// <remarks>
/// Providers send far more than Stride keeps, so payloads are read as a <see cref="JsonDocument"/>
/// rather than bound to types: only the mapped fields are looked at, and each error names its field
/// by its path in the payload (<c>commits[1].timestamp</c>).
/// </remarks>
internal sealed class WebhookPayload(string? querySystem)
{
    public List<IngestionError> Errors { get; } = [];

    public bool Ok => Errors.Count == 0;

    /// <summary>The system for the events: the <c>system</c> query parameter when given, else <paramref name="fromPayload"/>, normalized.</summary>
    public string System(string? fromPayload, string path)
    {
        var value = string.IsNullOrWhiteSpace(querySystem) ? fromPayload : querySystem;
        if (value is not null && value.Length > EventValidator.MaxSystemLength)
        {
            Fail(string.IsNullOrWhiteSpace(querySystem) ? path : "system", $"is longer than {EventValidator.MaxSystemLength} characters.");
            return SystemName.Unknown;
        }

        if (value is not null && TextRules.Problem(value) is { } problem)
        {
            Fail(string.IsNullOrWhiteSpace(querySystem) ? path : "system", problem);
            return SystemName.Unknown;
        }

        return SystemName.Normalize(value);
    }

    /// <summary>Whether the caller named the system in the query (then the payload's need not be there).</summary>
    public bool HasQuerySystem => !string.IsNullOrWhiteSpace(querySystem);

    /// <summary>A member that must be an object.</summary>
    public JsonElement? Object(JsonElement parent, string name, string path, bool required = true)
    {
        if (parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object)
        {
            return value;
        }

        if (required)
        {
            Fail(path, Present(parent, name) ? "must be an object." : "is required.");
        }

        return null;
    }

    /// <summary>A member that must be an array (null when absent and not required).</summary>
    public JsonElement? Array(JsonElement parent, string name, string path, bool required = true)
    {
        if (parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array)
        {
            return value;
        }

        if (required || Present(parent, name))
        {
            Fail(path, Present(parent, name) ? "must be an array." : "is required.");
        }

        return null;
    }

    /// <summary>A text member (a number is taken as its text, as providers send ids either way), trimmed; null when absent and not required.</summary>
    public string? Text(JsonElement parent, string name, string path, bool required = true, int maxLength = EventValidator.MaxIdentifierLength)
    {
        string? text = null;
        if (parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value))
        {
            text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()?.Trim(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.Null => null,
                _ => Invalid(path, "must be a string."),
            };
            if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null))
            {
                return null;
            }
        }

        if (string.IsNullOrEmpty(text))
        {
            if (required)
            {
                Fail(path, "is required.");
            }

            return null;
        }

        if (text.Length > maxLength)
        {
            Fail(path, $"is longer than {maxLength} characters.");
            return null;
        }

        if (TextRules.Problem(text) is { } problem)
        {
            Fail(path, problem);
            return null;
        }

        return text;
    }

    /// <summary>A time member: RFC 3339, the <c>2021-04-28 21:50:00 +0200</c> and <c>… UTC</c> forms GitLab writes, or Unix seconds.</summary>
    public long? Time(JsonElement parent, string name, string path, bool required = true)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Fail(path, "is required.");
            }

            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds) && Timestamps.IsInRange(seconds))
        {
            return seconds;
        }

        if (value.ValueKind == JsonValueKind.String && TryParseTime(value.GetString()!, out seconds))
        {
            return seconds;
        }

        Fail(path, "must be an RFC 3339 date-time with an offset, or Unix seconds.");
        return null;
    }

    public void Fail(string path, string message) => Errors.Add(new IngestionError(null, path, message));

    /// <summary>Parses the time forms providers write.</summary>
    internal static bool TryParseTime(string text, out long seconds)
    {
        text = text.Trim();
        if (text.EndsWith(" UTC", StringComparison.Ordinal))
        {
            text = string.Concat(text.AsSpan(0, text.Length - 4), "Z");
        }
        else if (text.Length > 6 && text[^5] is '+' or '-' && text[^6] == ' '
            && int.TryParse(text.AsSpan(text.Length - 4), NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            // "2021-04-28 21:50:00 +0200": GitLab's Ruby default format.
            text = string.Concat(text.AsSpan(0, text.Length - 6), text.AsSpan(text.Length - 5, 3), ":", text.AsSpan(text.Length - 2));
        }

        return Timestamps.TryParseRfc3339(text, out seconds);
    }

    private static bool Present(JsonElement parent, string name)
        => parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    private string? Invalid(string path, string message)
    {
        Fail(path, message);
        return null;
    }
}

/// <summary>What a provider's payload maps to: events (possibly none) and the delivery id that makes redeliveries harmless.</summary>
internal sealed record WebhookMapping(IReadOnlyList<Event> Events, string? Delivery);
