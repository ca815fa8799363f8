using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Stride.Server.Tests.BadInput;

/// <summary>How a body is written: one JSON value, or NDJSON (the items of a JSON array, one per line).</summary>
internal enum BodyFormat
{
    Json,
    Ndjson,
}

/// <summary>A valid body of a route, with the fields to break and the headers that go with it.</summary>
internal sealed record BodyBase(
    string Name, JsonNode Body, IReadOnlyList<Field> Fields, BodyFormat Format = BodyFormat.Json,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null)
{
    public string ContentType => Format == BodyFormat.Ndjson ? "application/x-ndjson" : "application/json";

    public byte[] Bytes => BadCases.Serialize(Body, Format);
}

/// <summary>One malformed request: its body, how it is sent, and what the answer must name.</summary>
/// <param name="ExpectedKey">The field the problem's <c>errors</c> must name (its key, or a key under it); null when any problem will do.</param>
/// <param name="Path">Another path than the route's (<c>{id}</c> is the connection's id).</param>
/// <param name="Status">The exact status expected, for the few cases where it is not a 400 (a route parameter naming nothing: 404).</param>
internal sealed record BadCase(
    string Name, byte[] Body, string? ContentType, IReadOnlyList<KeyValuePair<string, string>> Headers,
    string? ExpectedKey = null, string Query = "", string? Path = null, string? ContentEncoding = null, int? Status = null);

/// <summary>Generates the malformed requests of a route from its valid bodies, deterministically.</summary>
internal static partial class BadCases
{
    private const string Marker = "@@BAD-INPUT@@";

    // Non-ASCII characters written as themselves, so that truncations can cut a UTF-8 sequence.
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Serialize(JsonNode body, BodyFormat format)
        => Encoding.UTF8.GetBytes(format == BodyFormat.Ndjson
            ? string.Join("\n", body.AsArray().Select(item => item!.ToJsonString(Compact)))
            : body.ToJsonString(Compact));

    /// <summary>Every malformed request for a route: each field of each body broken in each way, then the body itself.</summary>
    public static List<BadCase> For(RouteUnderTest route)
    {
        var random = new Random(Seed(route.Name));
        var cases = new List<BadCase>();
        foreach (var b in route.Bases)
        {
            var headers = b.Headers ?? [];
            foreach (var field in b.Fields)
            {
                foreach (var value in BadValues.For(field, route.Dialect))
                {
                    cases.Add(new($"{b.Name}: {field.Path} = {value.Name}", Replace(b, field.Path, value.Json), b.ContentType, headers,
                        value.NamesField ? value.Key ?? field.Path : null));
                }

                cases.Add(Duplicate(b, field, route.Dialect, headers));
            }

            cases.AddRange(Structure(b, route, random).Select(c => c with { Name = $"{b.Name}: {c.Name}", Headers = headers }));
        }

        return cases;
    }

    /// <summary>The field given twice. Typed routes refuse any repeated key; on document routes the last wins, so the last is wrong.</summary>
    private static BadCase Duplicate(BodyBase b, Field field, Dialect dialect, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var original = Locate(b.Body.DeepClone(), field.Path) is var (parent, key) && parent is JsonObject o && o[(string)key] is { } node
            ? node.ToJsonString(Compact)
            : "null";
        var leaf = JsonSerializer.Serialize(Tokens(field.Path)[^1], Compact);
        var second = dialect == Dialect.Typed ? original : "true";
        return new($"{b.Name}: {field.Path} given twice ({original[..Math.Min(original.Length, 30)]}, then {second[..Math.Min(second.Length, 30)]})",
            Replace(b, field.Path, Encoding.UTF8.GetBytes($"{original},{leaf}:{second}")), b.ContentType, headers);
    }

    private static IEnumerable<BadCase> Structure(BodyBase b, RouteUnderTest route, Random random)
    {
        var body = b.Bytes;
        var type = b.ContentType;
        BadCase Case(string name, byte[] bytes, string? contentType = null) => new(name, bytes, contentType ?? type, []);
        BadCase Text(string name, string text, string? contentType = null) => Case(name, Encoding.UTF8.GetBytes(text), contentType);

        yield return Case("empty body", []);
        yield return Text("whitespace only", " \r\n\t  \n");
        foreach (var literal in new[] { "null", "true", "false", "42", "-0", "1e400", "\"text\"", "[]", "[[]]", "[null]", "[42]", "{}", "[{}]" })
        {
            yield return Text($"body {literal}", literal);
        }

        foreach (var broken in new[] { "{", "}", "[", "]", "{]", "[}", "{\"identifier\":}", "{\"identifier\" \"c1\"}", "{'identifier':'c1'}",
                     "{identifier:\"c1\"}", "{\"timestamp\":NaN}", "{\"timestamp\":Infinity}", "{\"timestamp\":0x10}", "{\"timestamp\":+1}",
                     "{\"timestamp\":01780000000}", "{\"timestamp\":1.}" })
        {
            yield return Text($"body {broken}", broken);
        }

        yield return Case("body as a JSON string", Encoding.UTF8.GetBytes(JsonSerializer.Serialize(Encoding.UTF8.GetString(body))));
        yield return Case("body under another key", [.. "{\"data\":"u8, .. body, .. "}"u8]);
        yield return Case("trailing comma", [.. body[..^1], (byte)',', .. body[^1..]]);
        yield return Case("leading comment", [.. "/* c */"u8, .. body]);
        yield return Case("trailing comment", [.. body, .. "// c"u8]);
        yield return Case("trailing garbage", [.. body, .. "x"u8]);
        yield return Case("trailing NUL byte", [.. body, 0x00]);
        yield return Case("leading NUL byte", [0x00, .. body]);
        yield return Case("NUL byte after the first brace", Insert(body, [0x00]));
        yield return Case("unit separator after the first brace", Insert(body, [0x1F]));
        yield return Case("no-break space after the first brace", Insert(body, [0xC2, 0xA0]));
        yield return Case("byte order mark only", [0xEF, 0xBB, 0xBF]);
        yield return Case("byte order mark twice", [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. body]);
        // A single UTF-8 byte order mark before valid JSON is accepted (RFC 8259 §8.1 lets a parser ignore it), so it is not here.
        var text = Encoding.UTF8.GetString(body);
        yield return Case("UTF-16LE with BOM", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)]);
        yield return Case("UTF-16BE with BOM", [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)]);
        yield return Case("UTF-16LE without BOM", Encoding.Unicode.GetBytes(text));
        yield return Case("UTF-32LE with BOM", [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes(text)]);
        if (text.Any(c => c > 127))
        {
            yield return Case("Latin-1 instead of UTF-8", Encoding.Latin1.GetBytes(text));
        }

        yield return Case("gzip without Content-Encoding", Gzip(body));
        yield return Case("gzip with Content-Encoding: gzip", Gzip(body)) with { ContentEncoding = "gzip" };
        yield return Text("form-urlencoded", "identifier=c1&timestamp=1780000000", "application/x-www-form-urlencoded");
        yield return Case("multipart", [.. "--b\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\n"u8, .. body, .. "\r\n--b--\r\n"u8],
            "multipart/form-data; boundary=b");
        yield return Text("XML", "<event><identifier>c1</identifier><timestamp>1780000000</timestamp></event>", "application/xml");
        yield return Text("10000 nested arrays", new string('[', 10_000) + new string(']', 10_000));
        yield return Text("10000 nested objects", string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000));
        yield return Case("an extra member nested 1000 deep", Insert(body, Encoding.UTF8.GetBytes($"\"extra\":{new string('[', 1000)}{new string(']', 1000)},")));

        if (route.AcceptsStreams)
        {
            // One object, an array of them or NDJSON are all valid bodies there: the body twice, or wrapped in an array, is a valid batch.
            var item = b.Format == BodyFormat.Ndjson ? "{}\n" : "{},";
            var many = string.Concat(Enumerable.Repeat(item, Stride.Server.Ingestion.EventReader.MaxItems + 1)).TrimEnd(',', '\n');
            yield return Text($"{Stride.Server.Ingestion.EventReader.MaxItems + 1} items", b.Format == BodyFormat.Ndjson ? many : $"[{many}]");
        }
        else
        {
            yield return Case("the body twice", [.. body, .. body]);
            yield return Case("the body twice on two lines", [.. body, (byte)'\n', .. body]);
            yield return Case("the body in an array", [(byte)'[', .. body, (byte)']']);
        }

        if (b.Format == BodyFormat.Ndjson)
        {
            foreach (var c in NdjsonLines(b, body))
            {
                yield return c;
            }
        }

        foreach (var cut in CutPoints(body, b.Format, random))
        {
            yield return Case($"cut to {cut} of {body.Length} bytes", body[..cut]);
        }
    }

    private static IEnumerable<BadCase> NdjsonLines(BodyBase b, byte[] body)
    {
        var lines = Encoding.UTF8.GetString(body).Split('\n');
        string Join(IEnumerable<string> parts) => string.Join("\n", parts);
        BadCase Case(string name, string text) => new(name, Encoding.UTF8.GetBytes(text), b.ContentType, []);

        var middle = lines.Length / 2;
        yield return Case("middle line cut in half", Join(lines.Select((l, i) => i == middle ? l[..(l.Length / 2)] : l)));
        yield return Case("last line cut in half", Join(lines.Select((l, i) => i == lines.Length - 1 ? l[..(l.Length / 2)] : l)));
        yield return Case("first line cut in half", Join(lines.Select((l, i) => i == 0 ? l[..(l.Length / 2)] : l)));
        yield return Case("a line holding an array", Join(lines.Select((l, i) => i == middle ? $"[{l}]" : l)));
        yield return Case("a null line", Join(lines.Select((l, i) => i == middle ? "null" : l)));
        yield return Case("a number line", Join(lines.Select((l, i) => i == middle ? "42" : l)));
        yield return Case("a line with a trailing comma", Join(lines.Select((l, i) => i == middle ? l + "," : l)));
        yield return Case("lines separated by commas", string.Join(",\n", lines));
        yield return Case("a line of garbage", Join(lines.Select((l, i) => i == middle ? "garbage" : l)));
        yield return Case("two lines fused by a missing brace", Join(lines.Select((l, i) => i == middle ? l[..^1] : l)));
    }

    /// <summary>Where to cut the body: its ends, its middle, inside each multi-byte character, and seeded random places.</summary>
    /// <remarks>An NDJSON body cut right after a whole line is valid NDJSON with fewer items, so such cuts are skipped.</remarks>
    private static SortedSet<int> CutPoints(byte[] body, BodyFormat format, Random random)
    {
        var cuts = new SortedSet<int> { 1, 2, body.Length / 2, body.Length - 2, body.Length - 1 };
        for (var i = 1; i < body.Length; i++)
        {
            if ((body[i] & 0xC0) == 0x80)
            {
                cuts.Add(i);
            }
        }

        for (var i = 0; i < 12; i++)
        {
            cuts.Add(random.Next(1, body.Length));
        }

        if (format == BodyFormat.Ndjson)
        {
            cuts.RemoveWhere(cut => Encoding.UTF8.GetString(body[..cut]).TrimEnd().EndsWith('}'));
        }

        return cuts;
    }

    /// <summary>The body with bytes put just after its first <c>{</c>.</summary>
    private static byte[] Insert(byte[] body, byte[] bytes)
    {
        var at = Array.IndexOf(body, (byte)'{') + 1;
        return [.. body[..at], .. bytes, .. body[at..]];
    }

    private static byte[] Gzip(byte[] body)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(body);
        }

        return buffer.ToArray();
    }

    /// <summary>The body with the field at <paramref name="path"/> set to raw JSON bytes, or left out when they are null.</summary>
    private static byte[] Replace(BodyBase b, string path, byte[]? json)
    {
        var body = b.Body.DeepClone();
        var (parent, key) = Locate(body, path);
        switch (key)
        {
            case string name when json is null:
                parent.AsObject().Remove(name);
                return Serialize(body, b.Format);
            case string name:
                parent.AsObject()[name] = Marker;
                break;
            case int index:
                parent.AsArray()[index] = Marker;
                break;
        }

        var bytes = Serialize(body, b.Format);
        var marker = Encoding.UTF8.GetBytes($"\"{Marker}\"");
        var at = bytes.AsSpan().IndexOf(marker);
        return [.. bytes[..at], .. json!, .. bytes[(at + marker.Length)..]];
    }

    /// <summary>The parent of the node at a path such as <c>[1].changes</c> or <c>commits[0].id</c>, and its key there (a name or an index).</summary>
    private static (JsonNode Parent, object Key) Locate(JsonNode root, string path)
    {
        var tokens = Tokens(path);
        var node = root;
        foreach (var token in tokens[..^1])
        {
            node = (token is int i ? node[i] : node[(string)token])
                ?? throw new InvalidOperationException($"The valid body has nothing at '{path}'.");
        }

        return (node, tokens[^1]);
    }

    private static object[] Tokens(string path)
        => [.. PathToken().Matches(path).Select(m => m.Groups[1].Success ? (object)int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : m.Value)];

    /// <summary>A seed from the route's name that is the same in every run (string.GetHashCode is not).</summary>
    private static int Seed(string name)
    {
        var hash = 2166136261;
        foreach (var c in name)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (int)(hash & 0x7FFFFFFF);
    }

    [GeneratedRegex(@"\[(\d+)\]|[^.\[\]]+")]
    private static partial Regex PathToken();
}
