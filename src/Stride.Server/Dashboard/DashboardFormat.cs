using System.Globalization;
using Stride.Core.Metrics;

namespace Stride.Server.Dashboard;

/// <summary>How the dashboard writes numbers: human units, tiers as words, changes as arrows and words.</summary>
/// <remarks>Invariant culture everywhere, so that every page and every test reads the same digits.</remarks>
internal static class DashboardFormat
{
    public const string NoData = "no data";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>"3.2 per day", else per week, else per month, so that small rates do not read as 0.0.</summary>
    public static string Frequency(double? perDay) => perDay switch
    {
        null => NoData,
        0 => "none",
        >= 1 => $"{OneDecimal(perDay.Value)} per day",
        >= 1.0 / 7 => $"{OneDecimal(perDay.Value * 7)} per week",
        _ => $"{OneDecimal(perDay.Value * 30)} per month",
    };

    /// <summary>"2 d 3 h", "4 h 10 min", "12 min", "45 s": the two largest units, rounded to the second.</summary>
    public static string Duration(double? seconds)
    {
        if (seconds is not { } value || double.IsNaN(value))
        {
            return NoData;
        }

        var sign = value < 0 ? "−" : "";
        var total = (long)Math.Round(Math.Abs(value), MidpointRounding.AwayFromZero);
        var days = total / 86_400;
        var hours = total % 86_400 / 3_600;
        var minutes = total % 3_600 / 60;
        var rest = total % 60;
        var text = days > 0 ? (hours > 0 ? $"{days} d {hours} h" : $"{days} d")
            : hours > 0 ? (minutes > 0 ? $"{hours} h {minutes} min" : $"{hours} h")
            : minutes > 0 ? (rest > 0 ? $"{minutes} min {rest} s" : $"{minutes} min")
            : $"{rest} s";
        return sign + text;
    }

    /// <summary>A rate (0.075) as "7.5 %".</summary>
    public static string Percent(double? rate) => rate is { } r ? $"{OneDecimal(r * 100)} %" : NoData;

    /// <summary>A count with thousands separators: "12,345".</summary>
    public static string Count(long count) => count.ToString("#,0", Invariant);

    /// <summary>"3 changes", "1 change".</summary>
    public static string Count(long count, string singular, string plural) => $"{Count(count)} {(count == 1 ? singular : plural)}";

    /// <summary>A raw number for <c>data-value</c>: round-trip digits, or empty for no data.</summary>
    public static string Raw(double? value) => value?.ToString("R", Invariant) ?? "";

    /// <summary>A UTC time as "2026-11-20 10:30 UTC".</summary>
    public static string Time(long unixSeconds)
        => DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd HH:mm 'UTC'", Invariant);

    /// <summary>A UTC date as "2026-11-20".</summary>
    public static string Date(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd", Invariant);

    /// <summary>The tier as a word people read, never only as a colour.</summary>
    public static string TierWord(Tier? tier) => tier switch
    {
        Tier.Elite => "Elite",
        Tier.High => "High",
        Tier.Medium => "Medium",
        Tier.Low => "Low",
        _ => "No tier",
    };

    /// <summary>The CSS class that colours a tier (the word is always shown beside it).</summary>
    public static string TierClass(Tier? tier) => tier is { } t ? "tier-" + t.ToString().ToLowerInvariant() : "tier-none";

    /// <summary>How a value moved against the previous window, and whether that is good.</summary>
    /// <param name="lowerIsBetter">True for times and rates, false for frequency.</param>
    public static Trend Change(double? current, double? previous, bool lowerIsBetter)
    {
        if (current is not { } now || previous is not { } before)
        {
            return new Trend("", "no comparison", "trend-none");
        }

        // Equal within rounding noise reads as unchanged, not as a tiny improvement.
        if (Math.Abs(now - before) <= 1e-9 * Math.Max(Math.Abs(now), Math.Abs(before)))
        {
            return new Trend("→", "unchanged", "trend-same");
        }

        var up = now > before;
        var better = up != lowerIsBetter;
        return new Trend(up ? "↑" : "↓", better ? "better" : "worse", better ? "trend-better" : "trend-worse");
    }

    private static string OneDecimal(double value) => value.ToString("0.0", Invariant);
}

/// <summary>A change against the previous window: an arrow, a word (better, worse…) and its CSS class.</summary>
internal sealed record Trend(string Arrow, string Word, string CssClass);
