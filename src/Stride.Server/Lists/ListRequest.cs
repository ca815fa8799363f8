using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Stride.Server.Auth;
using Stride.Server.Metrics;
using Stride.Storage;

namespace Stride.Server.Lists;

/// <summary>The query of a list route: the metrics filters plus <c>limit</c>, <c>cursor</c> and <c>format</c>.</summary>
internal sealed record ListRequest(ListQuery Query, bool Csv)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 1_000;

    /// <summary>Reads <c>from</c>, <c>to</c>, <c>system</c>, <c>environment</c> (as the metrics do), <c>limit</c>, <c>cursor</c> and <c>format</c> (json or csv).</summary>
    public static ListRequest? TryParse(IQueryCollection query, TimeProvider time, Dictionary<string, string[]> errors)
    {
        var window = MetricsQuery.TryParse(query, time, errors);
        var limit = DefaultLimit;
        var limitText = query["limit"].ToString();
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"must be a whole number from 1 to {MaxLimit}."];
        }

        ListPosition? after = null;
        var cursor = query["cursor"].ToString();
        if (cursor.Length > 0 && (after = DecodeCursor(cursor)) is null)
        {
            errors["cursor"] = ["is not a cursor this server gave: pass the 'nextCursor' of the previous page unchanged."];
        }

        var csv = false;
        switch (query["format"].ToString().ToLowerInvariant())
        {
            case "" or "json":
                break;
            case "csv":
                csv = true;
                break;
            default:
                errors["format"] = ["must be 'json' or 'csv'."];
                break;
        }

        return window is null || errors.Count > 0
            ? null
            : new ListRequest(new ListQuery(window.From, window.To, window.Environment, window.Systems, limit, after), csv);
    }

    /// <summary>An opaque cursor: base64url of the position's JSON.</summary>
    public static string? EncodeCursor(ListPosition? position)
        => position is null
            ? null
            : Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(
                new CursorParts(position.Timestamp, position.System, position.Identifier), ListJsonContext.Default.CursorParts));

    private static ListPosition? DecodeCursor(string cursor)
    {
        try
        {
            var parts = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(cursor), ListJsonContext.Default.CursorParts);
            return parts is { S: not null, I: not null } ? new ListPosition(parts.T, parts.S, parts.I) : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The link to the next page: this request's URL with the cursor replaced.</summary>
    public static string NextLink(HttpRequest request, string cursor)
    {
        var query = request.Query.Where(p => p.Key != "cursor")
            .SelectMany(p => p.Value.Select(v => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(v ?? "")}"))
            .Append($"cursor={cursor}");
        return $"{request.PathBase}{request.Path}?{string.Join('&', query)}";
    }
}

/// <summary>What every list route does: read the query, one page from the store, answer JSON or CSV.</summary>
internal static class ListRoute
{
    /// <param name="read">Reads a page of the organization's rows for the query.</param>
    /// <param name="map">A stored row as the API shows it.</param>
    /// <param name="header">The CSV columns, in the order <paramref name="csvRow"/> gives the fields.</param>
    /// <param name="csvRow">An item's CSV fields.</param>
    public static async Task<IResult> AnswerAsync<TRow, TItem>(
        HttpContext http,
        TimeProvider time,
        Func<long, ListQuery, Task<ListPage<TRow>>> read,
        Func<TRow, TItem> map,
        IReadOnlyList<string> header,
        Func<TItem, IReadOnlyList<string?>> csvRow)
    {
        var errors = new Dictionary<string, string[]>();
        if (ListRequest.TryParse(http.Request.Query, time, errors) is not { } request)
        {
            return TypedResults.ValidationProblem(errors, detail: "The query parameters are not valid.");
        }

        var page = await read(http.User.Organization(), request.Query);
        var items = page.Items.Select(map).ToList();
        var next = ListRequest.EncodeCursor(page.Next);
        return request.Csv
            ? Csv.Result(http.Request, next, header, items.Select(csvRow))
            : TypedResults.Ok(new ListResponse<TItem>(items, next));
    }
}

/// <summary>A cursor's content (short names: it travels in URLs).</summary>
internal sealed record CursorParts(long T, string? S, string? I);

/// <summary>A page of a list as JSON: the rows and the cursor of the next page (null on the last).</summary>
internal sealed record ListResponse<T>(IReadOnlyList<T> Items, string? NextCursor);

[System.Text.Json.Serialization.JsonSerializable(typeof(CursorParts))]
internal sealed partial class ListJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>Writes RFC 4180 CSV: CRLF line ends, fields with a comma, quote or line break quoted, quotes doubled.</summary>
internal static class Csv
{
    public static IResult Result(HttpRequest request, string? nextCursor, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var text = new StringBuilder();
        AppendRow(text, header);
        foreach (var row in rows)
        {
            AppendRow(text, row);
        }

        if (nextCursor is not null)
        {
            request.HttpContext.Response.Headers.Link = $"<{ListRequest.NextLink(request, nextCursor)}>; rel=\"next\"";
        }

        return Results.Text(text.ToString(), "text/csv; charset=utf-8", Encoding.UTF8);
    }

    public static string Field(string? value)
    {
        if (value is null)
        {
            return "";
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    public static string? Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture);

    public static string? Number(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static void AppendRow(StringBuilder text, IReadOnlyList<string?> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(Field(fields[i]));
        }

        text.Append("\r\n");
    }
}
