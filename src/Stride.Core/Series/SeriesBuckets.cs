using System.Diagnostics.CodeAnalysis;

namespace Stride.Core.Series;

/// <summary>Splits a range into the calendar buckets of a series (SPEC §3 "Series").</summary>
public static class SeriesBuckets
{
    // A UTC offset is within ±14 hours, so a local midnight lies within this distance of the same
    // wall-clock reading taken as UTC.
    private const long SearchRadius = 18 * 3_600;

    /// <summary>The buckets that cover <c>[from, to)</c> exactly, oldest first.</summary>
    /// <param name="from">Start of the range, Unix seconds, inclusive: the first bucket starts here.</param>
    /// <param name="to">End of the range, Unix seconds, exclusive: the last bucket ends here.</param>
    /// <param name="interval">Day, ISO week (from Monday) or month.</param>
    /// <param name="zone">The zone whose local midnights are the bucket edges.</param>
    /// <remarks>
    /// Interior edges are local midnights in <paramref name="zone"/>, so a day bucket across a
    /// daylight-saving change lasts 23 or 25 hours; the first and last buckets are clipped to the
    /// range. Where a zone skips midnight, the day starts when the clocks jump; where midnight
    /// happens twice, at the first. The caller bounds the range: a day series holds one bucket per day.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="to"/> is not after <paramref name="from"/>.</exception>
    public static IReadOnlyList<(long Start, long End)> Split(long from, long to, SeriesInterval interval, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(to, from);

        var period = PeriodStart(LocalDate(from, zone), interval);
        var buckets = new List<(long Start, long End)>();
        var start = from;
        while (start < to)
        {
            period = NextPeriod(period, interval);
            var edge = StartOfDay(period, zone);
            if (edge <= start)
            {
                // Only a zone that moves its clocks back across midnight could put an edge here.
                continue;
            }

            var end = Math.Min(edge, to);
            buckets.Add((start, end));
            start = end;
        }

        return buckets;
    }

    /// <summary>Finds a zone by IANA name; null or blank means UTC.</summary>
    /// <returns>Whether the name is known (on Linux, a file under <c>/usr/share/zoneinfo</c>).</returns>
    public static bool TryFindZone(string? id, [NotNullWhen(true)] out TimeZoneInfo? zone)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            zone = TimeZoneInfo.Utc;
            return true;
        }

        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id.Trim());
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            zone = null;
            return false;
        }
    }

    private static DateOnly LocalDate(long instant, TimeZoneInfo zone)
        => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(instant), zone).DateTime);

    private static DateOnly PeriodStart(DateOnly date, SeriesInterval interval) => interval switch
    {
        SeriesInterval.Day => date,
        // DayOfWeek counts from Sunday; ISO weeks start on Monday.
        SeriesInterval.Week => date.AddDays(-(((int)date.DayOfWeek + 6) % 7)),
        SeriesInterval.Month => new DateOnly(date.Year, date.Month, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, "Unknown series interval."),
    };

    private static DateOnly NextPeriod(DateOnly start, SeriesInterval interval) => interval switch
    {
        SeriesInterval.Day => start.AddDays(1),
        SeriesInterval.Week => start.AddDays(7),
        SeriesInterval.Month => start.AddMonths(1),
        _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, "Unknown series interval."),
    };

    /// <summary>The first instant (Unix seconds) whose local date in <paramref name="zone"/> is <paramref name="date"/>.</summary>
    private static long StartOfDay(DateOnly date, TimeZoneInfo zone)
    {
        var midnight = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        var asUtc = new DateTimeOffset(midnight, TimeSpan.Zero).ToUnixTimeSeconds();
        if (zone.IsAmbiguousTime(midnight))
        {
            // The larger offset is the reading before the clocks go back, i.e. the first midnight.
            return asUtc - (long)zone.GetAmbiguousTimeOffsets(midnight).Max().TotalSeconds;
        }

        if (!zone.IsInvalidTime(midnight))
        {
            return asUtc - (long)zone.GetUtcOffset(midnight).TotalSeconds;
        }

        // Midnight is skipped: find the first instant whose local reading is past it, i.e. the jump.
        var lo = asUtc - SearchRadius;
        var hi = asUtc + SearchRadius;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(mid), zone).DateTime < midnight)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
