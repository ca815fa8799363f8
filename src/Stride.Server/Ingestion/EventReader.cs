using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace Stride.Server.Ingestion;

/// <summary>
/// Reads a request body holding events: one JSON object, a JSON array of objects, or NDJSON
/// (one object per line).
/// </summary>
internal static partial class EventReader
{
    /// <summary>The most items one request may carry.</summary>
    public const int MaxItems = 100_000;

    // A body is parsed in parts only from this size up per part: below, handing work to other threads costs more than it saves.
    private const int MinPartBytes = 128 * 1024;

    /// <summary>Reads the whole body; the server's body size limit bounds it.</summary>
    public static async Task<ReadOnlySequence<byte>> ReadBodyAsync(PipeReader body, CancellationToken ct)
    {
        while (true)
        {
            // Only the end of the body ends the read. A canceled read is not that end: Kestrel cancels
            // the pending read of a connection it stops reusing (a server shutting down), while the
            // rest of this request's body is still on its way; taking what had come as the whole body
            // stored part of a request and answered 200.
            var read = await body.ReadAsync(ct);
            if (read.IsCompleted)
            {
                return read.Buffer;
            }

            body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    /// <summary>
    /// Reads the whole body as <see cref="ReadBodyAsync"/> does, into an array of its own, and moves the
    /// reader past it: for routes that keep or hash the bytes (webhooks, DevLake).
    /// </summary>
    public static async Task<byte[]> ReadBodyBytesAsync(PipeReader body, CancellationToken ct)
    {
        var read = await ReadBodyAsync(body, ct);
        var bytes = read.ToArray();
        body.AdvanceTo(read.End);
        return bytes;
    }

    /// <summary>Parses the body into items, or says where it is malformed.</summary>
    public static ReadResult<T> Parse<T>(ReadOnlySequence<byte> body, JsonTypeInfo<T> item, JsonTypeInfo<List<T?>> list)
        where T : class
    {
        if (body.IsSingleSegment)
        {
            return Parse(body.First, item, list);
        }

        // Kestrel hands a large body over in many small segments, and reading JSON across segments
        // cost more than the whole parse; one copy into a pooled array is far cheaper.
        var length = checked((int)body.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            body.CopyTo(buffer);
            return Parse(buffer.AsMemory(0, length), item, list);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ReadResult<T> Parse<T>(ReadOnlyMemory<byte> body, JsonTypeInfo<T> item, JsonTypeInfo<List<T?>> list)
        where T : class
    {
        // A UTF-8 byte order mark is tolerated in front of JSON (some Windows tools write one).
        if (body.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            body = body[3..];
        }

        var first = FirstByte(body.Span);
        if (first is null)
        {
            return ReadResult<T>.Fail(new IngestionError(null, "", "is empty: send a JSON object, a JSON array of objects, or NDJSON."));
        }

        if (first == (byte)'[')
        {
            return ParseArray(body.Span, list);
        }

        if (first != (byte)'{')
        {
            return ReadResult<T>.Fail(new IngestionError(null, "", "is not JSON: it must start with '{' or '['."));
        }

        return ParseLinesInParts(body, item) is { } items
            ? new ReadResult<T>(items, IsBatch: true, null)
            : ParseObjects(body.Span, item);
    }

    /// <summary>
    /// Parses a large NDJSON body in parts, one per core, cut where a line starts an object; null when
    /// the body is too small to cut, or any part is not a clean run of objects.
    /// </summary>
    /// <remarks>
    /// A batch of thousands of events spends most of its request parsing, while the store's writer
    /// waits. A JSON string cannot hold a raw line break, so a cut always falls between tokens; if it
    /// falls inside a (pretty-printed) object, the part before it ends in the middle of that object and
    /// fails. Any failure, or too many items, sends the whole body through <see cref="ParseObjects"/>,
    /// which gives the error with its exact item index: the parts only ever speed up bodies that are fine.
    /// </remarks>
    private static List<T>? ParseLinesInParts<T>(ReadOnlyMemory<byte> body, JsonTypeInfo<T> item)
        where T : class
    {
        var parts = Math.Min(Environment.ProcessorCount, body.Length / MinPartBytes);
        if (parts < 2)
        {
            return null;
        }

        var cuts = new List<int>(parts + 1) { 0 };
        for (var k = 1; k < parts; k++)
        {
            var from = Math.Max(cuts[^1], (int)((long)body.Length * k / parts));
            var at = body.Span[from..].IndexOf("\n{"u8);
            if (at < 0)
            {
                break;
            }

            cuts.Add(from + at + 1);
        }

        cuts.Add(body.Length);
        if (cuts.Count < 3)
        {
            return null;
        }

        var parsed = new ReadResult<T>[cuts.Count - 1];
        Parallel.For(0, parsed.Length, k => parsed[k] = ParseObjects(body.Span[cuts[k]..cuts[k + 1]], item));
        var count = parsed.Sum(p => p.Items.Count);
        if (parsed.Any(p => p.Error is not null) || count > MaxItems)
        {
            return null;
        }

        var items = new List<T>(count);
        foreach (var part in parsed)
        {
            items.AddRange(part.Items);
        }

        return items;
    }

    private static ReadResult<T> ParseArray<T>(ReadOnlySpan<byte> body, JsonTypeInfo<List<T?>> list)
        where T : class
    {
        List<T?>? items;
        try
        {
            var reader = new Utf8JsonReader(body, ReaderOptions(list.Options));
            items = JsonSerializer.Deserialize(ref reader, list);

            // The serializer stops at the array's end; reading on throws for anything but whitespace after it.
            reader.Read();
        }
        catch (JsonException e)
        {
            return ReadResult<T>.Fail(FromJsonException(e, lineIndex: null));
        }

        if (items is null || items.Count == 0)
        {
            return ReadResult<T>.Fail(new IngestionError(null, "", "is an empty array: send at least one event."));
        }

        if (items.Count > MaxItems)
        {
            return ReadResult<T>.Fail(new IngestionError(null, "", $"holds {items.Count} items; at most {MaxItems} are accepted per request."));
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
            {
                return ReadResult<T>.Fail(new IngestionError(i, "", "is null: each item must be an object."));
            }
        }

        return new ReadResult<T>(items!, IsBatch: true, null);
    }

    // One object, or NDJSON: a stream of objects separated by whitespace (newlines). Reading
    // values rather than lines also accepts a single pretty-printed object.
    private static ReadResult<T> ParseObjects<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> item)
        where T : class
    {
        var items = new List<T>();
        var options = ReaderOptions(item.Options);
        options.AllowMultipleValues = true;
        var reader = new Utf8JsonReader(body, options);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return ReadResult<T>.Fail(new IngestionError(items.Count, "", "is not an object: each line must hold one JSON object."));
                }

                if (items.Count == MaxItems)
                {
                    return ReadResult<T>.Fail(new IngestionError(null, "", $"holds more than {MaxItems} items; at most {MaxItems} are accepted per request."));
                }

                items.Add(JsonSerializer.Deserialize(ref reader, item)!);
            }
        }
        catch (JsonException e)
        {
            var index = items.Count > 0 || LooksLikeSeveralObjects(body) ? items.Count : (int?)null;
            return ReadResult<T>.Fail(FromJsonException(e, index));
        }

        // A single object is not a batch: its errors name fields without an index.
        return new ReadResult<T>(items, IsBatch: items.Count > 1, null);
    }

    // Whether a line after the first starts a new object: NDJSON rather than one object.
    private static bool LooksLikeSeveralObjects(ReadOnlySpan<byte> body)
    {
        var afterNewline = false;
        foreach (var b in body)
        {
            if (b == (byte)'\n')
            {
                afterNewline = true;
            }
            else if (afterNewline && b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                if (b == (byte)'{')
                {
                    return true;
                }

                afterNewline = false;
            }
        }

        return false;
    }

    private static JsonReaderOptions ReaderOptions(JsonSerializerOptions options)
        => new() { MaxDepth = options.MaxDepth, CommentHandling = JsonCommentHandling.Disallow };

    private static byte? FirstByte(ReadOnlySpan<byte> body)
    {
        foreach (var b in body)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return b;
            }
        }

        return null;
    }

    private static IngestionError FromJsonException(JsonException e, int? lineIndex)
    {
        var path = e.Path ?? "$";
        var match = ArrayPath().Match(path);
        int? index = lineIndex;
        var field = path.TrimStart('$').TrimStart('.');
        if (match.Success)
        {
            index = int.Parse(match.Groups[1].Value, global::System.Globalization.CultureInfo.InvariantCulture);
            field = match.Groups[2].Value;
        }

        return new IngestionError(index, field, Describe(e));
    }

    // Turns System.Text.Json's messages into ones that name JSON types, not .NET ones.
    private static string Describe(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut >= 0)
        {
            message = message[..cut];
        }

        if (message.Contains("could not be converted to System.String", StringComparison.Ordinal))
        {
            return "must be a string.";
        }

        if (message.Contains("could not be converted to System.Nullable`1[System.Boolean]", StringComparison.Ordinal))
        {
            return "must be true or false.";
        }

        if (message.Contains("could not be converted to System.Collections.Generic.List", StringComparison.Ordinal))
        {
            return "must be an array of strings.";
        }

        if (message.Contains("could not be converted to Stride", StringComparison.Ordinal)
            || message.Contains("could not be converted to System.Collections.Generic.List`1[Stride", StringComparison.Ordinal))
        {
            return "must be an object.";
        }

        if (message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
        {
            return "appears twice in the same object.";
        }

        if (message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            return "is nested too deeply.";
        }

        return e.InnerException is null && !message.StartsWith("'", StringComparison.Ordinal) && !message.StartsWith("The JSON", StringComparison.Ordinal)
            ? message
            : "is not valid JSON: " + message.TrimEnd('.') + ".";
    }

    [GeneratedRegex(@"^\$\[(\d+)\]\.?(.*)$")]
    private static partial Regex ArrayPath();
}

/// <summary>The items of a body, or the error that stopped reading it.</summary>
internal sealed record ReadResult<T>(IReadOnlyList<T> Items, bool IsBatch, IngestionError? Error)
{
    public static ReadResult<T> Fail(IngestionError error) => new([], false, error);
}
