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

    /// <summary>Reads the whole body; the server's body size limit bounds it.</summary>
    public static async Task<ReadOnlySequence<byte>> ReadBodyAsync(PipeReader body, CancellationToken ct)
    {
        while (true)
        {
            var read = await body.ReadAsync(ct);
            if (read.IsCompleted || read.IsCanceled)
            {
                return read.Buffer;
            }

            body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    /// <summary>Parses the body into items, or says where it is malformed.</summary>
    public static ReadResult<T> Parse<T>(ReadOnlySequence<byte> body, JsonTypeInfo<T> item, JsonTypeInfo<List<T?>> list)
        where T : class
    {
        if (body.IsSingleSegment)
        {
            return Parse(body.First.Span, item, list);
        }

        // Kestrel hands a large body over in many small segments, and reading JSON across segments
        // cost more than the whole parse; one copy into a pooled array is far cheaper.
        var length = checked((int)body.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            body.CopyTo(buffer);
            return Parse(buffer.AsSpan(0, length), item, list);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ReadResult<T> Parse<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> item, JsonTypeInfo<List<T?>> list)
        where T : class
    {
        // A UTF-8 byte order mark is tolerated in front of JSON (some Windows tools write one).
        if (body.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            body = body[3..];
        }

        var first = FirstByte(body);
        if (first is null)
        {
            return ReadResult<T>.Fail(new IngestionError(null, "", "is empty: send a JSON object, a JSON array of objects, or NDJSON."));
        }

        if (first == (byte)'[')
        {
            return ParseArray(body, list);
        }

        if (first != (byte)'{')
        {
            return ReadResult<T>.Fail(new IngestionError(null, "", "is not JSON: it must start with '{' or '['."));
        }

        return ParseObjects(body, item);
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
