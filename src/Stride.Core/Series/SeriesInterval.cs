namespace Stride.Core.Series;

/// <summary>The calendar unit of a series' buckets (SPEC §3 "Series").</summary>
public enum SeriesInterval
{
    /// <summary>From one local midnight to the next (23 or 25 hours across a daylight-saving change).</summary>
    Day,

    /// <summary>An ISO week: from a Monday's local midnight to the next Monday's.</summary>
    Week,

    /// <summary>From the local midnight of the 1st of a month to that of the next month's 1st.</summary>
    Month,
}
