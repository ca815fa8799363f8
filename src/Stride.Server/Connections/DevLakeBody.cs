using System.Globalization;
using System.Text.Json;
using Stride.Core.Events;

namespace Stride.Server.Connections;

/// <summary>A validation error of a DevLake body: the field's path (<c>deploymentCommits[1].commitSha</c>) and what is wrong.</summary>
/// <param name="Index">The position in <c>deploymentCommits</c>, for errors of one commit.</param>
internal sealed record DevLakeError(string Field, string Message, int? Index = null);

/// <summary>
/// One JSON object of a DevLake body, read the way DevLake's Go decoder reads it: keys matched
/// case-insensitively, and snake_case forms (<c>repo_url</c>) accepted for camelCase ones (<c>repoUrl</c>).
/// </summary>
/// <remarks>
/// Keys are compared with underscores, hyphens and case removed, so <c>deployment_commits</c>,
/// <c>DeploymentCommits</c> and <c>deploymentcommits</c> are one key. When a key repeats, the last one wins,
/// as in most JSON decoders. Errors name fields by their documented camelCase names.
/// </remarks>
internal sealed class DevLakeObject
{
    /// <summary>The limit of a value's length where nothing stricter applies (titles, names).</summary>
    public const int MaxTextLength = 10_000;

    private const string DateForms =
        "a date-time: RFC 3339 (2026-11-01T12:00:00Z or 2026-11-01T12:00:00+01:00), '2026-11-01 12:00:00' (UTC) or '2026-11-01' (midnight UTC).";

    private static readonly string[] UtcForms = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"];

    private readonly Dictionary<string, JsonElement> _values = new(StringComparer.Ordinal);
    private readonly string _path;
    private readonly int? _index;
    private readonly List<DevLakeError> _errors;

    public DevLakeObject(JsonElement element, string path, int? index, List<DevLakeError> errors)
    {
        _path = path;
        _index = index;
        _errors = errors;
        foreach (var property in element.EnumerateObject())
        {
            _values[Canonical(property.Name)] = property.Value;
        }
    }

    /// <summary>Whether no error has been recorded (for any object sharing the error list).</summary>
    public bool Ok => _errors.Count == 0;

    public void Fail(string field, string message) => _errors.Add(new DevLakeError(_path + field, message, _index));

    /// <summary>The field's raw value, or null when missing or JSON <c>null</c>.</summary>
    public JsonElement? Raw(string field)
        => _values.TryGetValue(Canonical(field), out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>
    /// A text value, trimmed; null when missing, null or blank (an error when <paramref name="required"/>).
    /// Numbers are taken as their text, since tools send ids either way.
    /// </summary>
    /// <param name="freeText">Text that is not stored (a title): control characters such as line breaks are allowed.</param>
    public string? Text(string field, bool required, int maxLength = MaxTextLength, bool freeText = false)
    {
        string? text;
        switch (Raw(field))
        {
            case null:
                text = null;
                break;
            case { ValueKind: JsonValueKind.String } s:
                text = s.GetString()!.Trim();
                break;
            case { ValueKind: JsonValueKind.Number } n:
                text = n.GetRawText();
                break;
            default:
                Fail(field, "must be a string.");
                return null;
        }

        if (string.IsNullOrEmpty(text))
        {
            if (required)
            {
                Fail(field, "is required.");
            }

            return null;
        }

        if (text.Length > maxLength)
        {
            Fail(field, $"is longer than {maxLength} characters.");
            return null;
        }

        if (!freeText && Ingestion.TextRules.Problem(text) is { } problem)
        {
            Fail(field, problem);
            return null;
        }

        return text;
    }

    /// <summary>A date-time as Unix seconds; null when missing or null (an error when <paramref name="required"/>).</summary>
    /// <remarks>
    /// The forms DevLake accepts: RFC 3339 with an offset, <c>2006-01-02 15:04:05</c> and <c>2006-01-02</c>
    /// (both UTC, as DevLake reads them); also whole Unix seconds, as everywhere in Stride.
    /// </remarks>
    public long? Date(string field, bool required)
    {
        var raw = Raw(field);
        if (raw is null || raw.Value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(raw.Value.GetString()))
        {
            if (required)
            {
                Fail(field, "is required: " + DateForms);
            }

            return null;
        }

        if (raw.Value.ValueKind == JsonValueKind.Number && raw.Value.TryGetInt64(out var unix) && Timestamps.IsInRange(unix))
        {
            return unix;
        }

        if (raw.Value.ValueKind == JsonValueKind.String && TryParseDate(raw.Value.GetString()!.Trim(), out var seconds))
        {
            return seconds;
        }

        Fail(field, "must be " + DateForms);
        return null;
    }

    /// <summary>Parses the date forms of <see cref="Date"/> given as text.</summary>
    public static bool TryParseDate(string text, out long seconds)
    {
        if (Timestamps.TryParseRfc3339(text, out seconds))
        {
            return true;
        }

        if (DateTime.TryParseExact(text, UtcForms, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc))
        {
            seconds = new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeSeconds();
            return Timestamps.IsInRange(seconds);
        }

        seconds = 0;
        return false;
    }

    private static string Canonical(string key)
    {
        Span<char> buffer = key.Length <= 128 ? stackalloc char[key.Length] : new char[key.Length];
        var length = 0;
        foreach (var c in key)
        {
            if (c is not ('_' or '-'))
            {
                buffer[length++] = char.ToLowerInvariant(c);
            }
        }

        return new string(buffer[..length]);
    }
}
