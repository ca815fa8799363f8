using System.Text;

namespace Stride.Server.Tests.BadInput;

/// <summary>What a field holds, which decides the values that are wrong for it.</summary>
internal enum FieldKind
{
    /// <summary>A string: an id, a system, an environment.</summary>
    Text,

    /// <summary>Unix seconds or an RFC 3339 date-time.</summary>
    Time,

    /// <summary>An array of non-empty strings.</summary>
    StringList,

    /// <summary>true or false.</summary>
    Bool,

    /// <summary>A deployment result: success, failure or aborted (any case).</summary>
    Result,

    /// <summary>The native <c>type</c> or Pulse's <c>$type</c>.</summary>
    EventType,

    /// <summary>A JSON object the mapping reads fields from.</summary>
    Object,

    /// <summary>A JSON array of objects.</summary>
    Array,

    /// <summary>
    /// A provider's state or action (<c>deployment_status.state</c>, <c>action</c>): an unknown string means
    /// "nothing to store" (202, SPEC §4.4), so only values that are not text are wrong.
    /// </summary>
    Discriminator,

    /// <summary>A DevLake issue status: TODO, IN_PROGRESS or DONE.</summary>
    IssueStatus,

    /// <summary>A DevLake story point: a number, 0 or more.</summary>
    StoryPoint,
}

/// <summary>How a route reads JSON, which changes what counts as wrong.</summary>
internal enum Dialect
{
    /// <summary>Native and Pulse: bound to types, so a number is not a string and a repeated key is refused.</summary>
    Typed,

    /// <summary>
    /// Webhooks and DevLake: read from a JSON document. Ids may be numbers (providers send them either way,
    /// and the server takes a number as its text), and a repeated key's last value wins.
    /// </summary>
    Document,
}

/// <summary>One field of a valid body, to be broken.</summary>
/// <param name="Path">The field's path in the body, which is also the key the server's problem names it by: <c>commits[0].timestamp</c>.</param>
/// <param name="Required">Whether leaving it out (or null, or blank) is an error.</param>
/// <param name="MaxLength">The longest text the server accepts (text, and each entry of a string list).</param>
/// <param name="MaxCount">The most entries a string list may hold; 0 when no test of the count is wanted.</param>
/// <param name="Stored">Whether the value is stored (then control characters are refused); free text such as a title is not.</param>
/// <param name="Own">For <see cref="FieldKind.EventType"/> on a typed route: the route's type (another type is refused).</param>
/// <param name="NonEmpty">For <see cref="FieldKind.Array"/>: whether an empty array is an error (for webhooks it is a push without commits, 202).</param>
/// <param name="MissingKey">The key a problem names when the field is missing, where the server then asks for the field it falls back to.</param>
internal sealed record Field(
    string Path, FieldKind Kind, bool Required = false, int MaxLength = 256, int MaxCount = 0, bool Stored = true, string? Own = null,
    bool NonEmpty = false, string? MissingKey = null);

/// <summary>One wrong value for a field: its JSON text as raw bytes, or null to leave the field out.</summary>
/// <param name="NamesField">Whether the problem must name the field (not for bytes that break the JSON itself).</param>
/// <param name="Key">The key the problem names instead of the field's path.</param>
internal sealed record BadValue(string Name, byte[]? Json, bool NamesField = true, string? Key = null);

/// <summary>The catalogue of values that are wrong for a field of a given kind.</summary>
/// <remarks>
/// Every value here is wrong whatever the rest of the body holds. Values a route reasonably accepts are left
/// out on purpose, each with the reason next to it, rather than the check being loosened.
/// </remarks>
internal static class BadValues
{
    public static IEnumerable<BadValue> For(Field field, Dialect dialect)
    {
        var values = field.Kind switch
        {
            FieldKind.Text => Text(field, dialect),
            FieldKind.Time => Time(field),
            FieldKind.StringList => StringList(field),
            FieldKind.Bool => Bool(),
            FieldKind.Result => Result(),
            FieldKind.EventType => EventType(field),
            FieldKind.Object => Object(),
            FieldKind.Array => Array(field),
            FieldKind.Discriminator => NotText(),
            FieldKind.IssueStatus => IssueStatus(),
            FieldKind.StoryPoint => StoryPoint(),
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
        return field.Required ? Missing(field).Concat(values) : values;
    }

    private static IEnumerable<BadValue> Missing(Field field)
    {
        yield return new("missing", null, Key: field.MissingKey);
        yield return V("null") with { Key = field.MissingKey };
        if (field.Kind is FieldKind.Text or FieldKind.Time or FieldKind.EventType or FieldKind.Discriminator or FieldKind.IssueStatus)
        {
            yield return S("");
            yield return S("   ");
        }
    }

    /// <summary>JSON values that are not text (and not null, which is "missing").</summary>
    private static IEnumerable<BadValue> NotText()
    {
        yield return V("true");
        yield return V("false");
        yield return V("[]");
        yield return V("[\"x\"]");
        yield return V("{}");
        yield return V("{\"value\":\"x\"}");
    }

    private static IEnumerable<BadValue> Numbers()
    {
        yield return V("42");
        yield return V("-0");
        yield return V("1e400");
        yield return V("9223372036854775808");
        yield return V("0.5");
    }

    private static IEnumerable<BadValue> Text(Field field, Dialect dialect)
    {
        foreach (var value in NotText())
        {
            yield return value;
        }

        // Document routes take a number as its text (GitHub sends deployment and issue ids as numbers).
        if (dialect == Dialect.Typed)
        {
            foreach (var value in Numbers())
            {
                yield return value;
            }
        }

        yield return new($"{field.MaxLength + 1} chars", Str(new string('x', field.MaxLength + 1)));
        yield return new("100000 chars", Str(new string('y', 100_000)));
        foreach (var value in Garbled(field.Stored))
        {
            yield return value;
        }
    }

    /// <summary>Text that is not well-formed: bytes that are not UTF-8, unescaped controls, and (for stored values) escaped ones.</summary>
    private static IEnumerable<BadValue> Garbled(bool stored)
    {
        yield return new("invalid UTF-8 0xFF", Bytes("\"ab", [0xFF], "cd\""), NamesField: false);
        yield return new("truncated UTF-8 sequence 0xC3", Bytes("\"ab", [0xC3], "\""), NamesField: false);
        yield return new("overlong UTF-8 0xC0 0xAF", Bytes("\"ab", [0xC0, 0xAF], "\""), NamesField: false);
        yield return new("UTF-8 encoded surrogate 0xED 0xA0 0x80", Bytes("\"ab", [0xED, 0xA0, 0x80], "\""), NamesField: false);
        yield return new("raw NUL byte", Bytes("\"ab", [0x00], "cd\""), NamesField: false);
        yield return new("raw newline", Bytes("\"ab", [0x0A], "cd\""), NamesField: false);
        yield return new("unterminated string", Encoding.UTF8.GetBytes("\"abc"), NamesField: false);
        if (stored)
        {
            // Valid JSON, but no id, system or environment holds these; PostgreSQL cannot store NUL in text at all.
            // An escaped line break is not here: stored ids may hold one (the CSV lists quote it).
            yield return V("\"ab\\u0000cd\"", "escaped NUL");
            yield return V("\"\\u0000\"", "only an escaped NUL");
            yield return V("\"ab\\u001bcd\"", "escaped ESC");
            yield return V("\"ab\\u0007cd\"", "escaped BEL");
            yield return V("\"ab\\u0085cd\"", "escaped C1 control NEL");
            yield return V("\"ab\\ud800cd\"", "lone high surrogate");
            yield return V("\"\\udc00\"", "lone low surrogate");
        }
    }

    private static IEnumerable<BadValue> Time(Field field)
    {
        // A blank optional time is "not given" on DevLake and a zero Go time is "not given" on Pulse: only the
        // required ones get those (through Missing).
        if (field.Required)
        {
            yield return S("0001-01-01T00:00:00Z");
        }

        yield return S("yesterday");
        yield return S("2026-13-01T00:00:00Z");
        yield return S("2026-02-30T12:00:00Z");
        yield return S("2026-11-01T24:00:01Z");
        yield return S("2026-11-01T12:00:00+25:00");
        yield return S("1969-12-31T23:59:59Z");
        yield return S("10000-01-01T00:00:00Z");
        yield return S("NaN");
        yield return S("Infinity");
        yield return S("-1");
        yield return S("1e10");
        yield return S("1780000000.5");
        yield return V("1e400");
        yield return V("1780000000.5");
        yield return V("-1");
        yield return V("0");
        yield return V("-0");
        yield return V("9223372036854775807");
        yield return V("9223372036854775808");
        yield return V("-9223372036854775809");
        yield return V("253402300800");
        yield return V("true");
        yield return V("[1780000000]");
        yield return V("{\"seconds\":1780000000}");
        foreach (var value in Garbled(stored: false))
        {
            yield return value;
        }
    }

    private static IEnumerable<BadValue> StringList(Field field)
    {
        yield return S("c1");
        yield return V("42");
        yield return V("true");
        yield return V("{}");
        yield return V("{\"0\":\"c1\"}");
        yield return V("[42]");
        yield return V("[true]");
        yield return V("[null]");
        yield return V("[\"\"]");
        yield return V("[\"   \"]");
        yield return V("[[]]");
        yield return V("[{}]");
        yield return V("[\"ok\",[\"nested\"]]");
        yield return new($"[{field.MaxLength + 1} chars]", Bytes("[", Str(new string('z', field.MaxLength + 1)), "]"));
        yield return V("[\"ab\\u0000cd\"]", "[escaped NUL]");
        yield return V("[\"ab\\ud800\"]", "[lone surrogate]");
        yield return new("[invalid UTF-8]", Bytes("[\"ab", [0xFF], "\"]"), NamesField: false);
        if (field.MaxCount > 0)
        {
            var many = string.Join(",", Enumerable.Range(0, field.MaxCount + 1).Select(i => $"\"e{i}\""));
            yield return new($"{field.MaxCount + 1} entries", Encoding.UTF8.GetBytes($"[{many}]"));
        }
    }

    private static IEnumerable<BadValue> Bool()
    {
        yield return S("true");
        yield return S("false");
        yield return S("");
        yield return S("yes");
        yield return V("1");
        yield return V("0");
        yield return V("[]");
        yield return V("{}");
        yield return V("[true]");
    }

    private static IEnumerable<BadValue> Result()
    {
        // "" is the default result (success) on both dialects; a number is never one of the names.
        yield return S("bogus");
        yield return S("succes");
        yield return S("success!");
        yield return S("0");
        yield return V("1");
        yield return V("true");
        yield return V("[\"success\"]");
        yield return V("{}");
        yield return new("10000 chars", Str(new string('s', 10_000)));
        yield return V("\"succ\\u0000ess\"", "escaped NUL");
        yield return new("invalid UTF-8", Bytes("\"succ", [0xFF], "ess\""), NamesField: false);
    }

    private static IEnumerable<BadValue> EventType(Field field)
    {
        yield return S("bogus");
        yield return S("changes");
        yield return S("commit");
        yield return V("1");
        yield return V("true");
        yield return V("[\"change\"]");
        yield return V("{}");
        yield return new("invalid UTF-8", Bytes("\"cha", [0xFF], "nge\""), NamesField: false);
        if (field.Own is { } own)
        {
            // On a route of one type, "" and another type are both a mismatch; on /events another type is a valid event.
            yield return S("");
            foreach (var other in new[] { "change", "deployment", "incident" }.Where(t => t != own))
            {
                yield return S(other);
            }
        }
    }

    private static IEnumerable<BadValue> Object()
    {
        yield return S("x");
        yield return V("42");
        yield return V("true");
        yield return V("[]");
        yield return V("[{}]");
    }

    private static IEnumerable<BadValue> Array(Field field)
    {
        yield return S("x");
        yield return V("42");
        yield return V("true");
        yield return V("{}");
        if (field.NonEmpty)
        {
            yield return V("[]");
            yield return V("[null]");
            yield return V("[42]");
            yield return V("[\"x\"]");
        }
    }

    private static IEnumerable<BadValue> IssueStatus()
    {
        yield return S("bogus");
        yield return S("CLOSED");
        yield return S("DONE!");
        yield return V("1");
        yield return V("true");
        yield return V("[\"DONE\"]");
        yield return V("{}");
    }

    private static IEnumerable<BadValue> StoryPoint()
    {
        yield return V("-1");
        yield return V("-0.5");
        yield return V("1e400");
        yield return V("-1e400");
        yield return S("3");
        yield return V("true");
        yield return V("[3]");
        yield return V("{}");
    }

    /// <summary>A JSON literal, named by itself.</summary>
    private static BadValue V(string json, string? name = null) => new(name ?? json, Encoding.UTF8.GetBytes(json));

    /// <summary>A JSON string, named by its JSON text.</summary>
    private static BadValue S(string text) => new(Encoding.UTF8.GetString(Str(text)), Str(text));

    private static byte[] Str(string text) => Encoding.UTF8.GetBytes("\"" + text + "\"");

    private static byte[] Bytes(string before, byte[] middle, string after)
        => [.. Encoding.UTF8.GetBytes(before), .. middle, .. Encoding.UTF8.GetBytes(after)];
}
