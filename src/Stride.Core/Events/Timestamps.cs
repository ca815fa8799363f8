using System.Globalization;

namespace Stride.Core.Events;

/// <summary>Parsing of the timestamp forms events and queries use.</summary>
public static class Timestamps
{
    /// <summary>The earliest accepted time: 1970-01-01T00:00:01Z (zero and negatives are mistakes).</summary>
    public const long Min = 1;

    /// <summary>The latest accepted time: 9999-12-31T23:59:59Z.</summary>
    public const long Max = 253_402_300_799;

    /// <summary>Parses an RFC 3339 date-time with an offset (<c>Z</c> or <c>±hh:mm</c>) into Unix seconds.</summary>
    /// <remarks>Fractions of a second are truncated toward the earlier second.</remarks>
    public static bool TryParseRfc3339(string text, out long seconds)
    {
        seconds = 0;
        if (text.Length < 20 || (text[10] != 'T' && text[10] != 't' && text[10] != ' '))
        {
            return false;
        }

        var last = text[^1];
        var hasOffset = last is 'Z' or 'z' || (text.Length >= 25 && text[^6] is '+' or '-' && text[^3] == ':');
        if (!hasOffset
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var value))
        {
            return false;
        }

        seconds = value.ToUnixTimeSeconds();
        return seconds is >= Min and <= Max;
    }

    /// <summary>Whether Unix seconds lie in the accepted range.</summary>
    public static bool IsInRange(long seconds) => seconds is >= Min and <= Max;

    /// <summary>Formats Unix seconds as RFC 3339 UTC (<c>2026-11-01T00:00:00Z</c>).</summary>
    public static string ToRfc3339(long seconds)
        => DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
