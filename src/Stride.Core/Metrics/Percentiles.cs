namespace Stride.Core.Metrics;

/// <summary>Order statistics as PostgreSQL's <c>percentile_cont</c> computes them (SPEC §3).</summary>
public static class Percentiles
{
    /// <summary>The <paramref name="p"/>-th percentile of ascending <paramref name="sorted"/>, interpolated linearly at rank p·(n−1); null when empty.</summary>
    public static double? Of(long[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return null;
        }

        var rank = p * (sorted.Length - 1);
        var lower = (int)Math.Floor(rank);
        var upper = (int)Math.Ceiling(rank);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (rank - lower));
    }

    /// <summary>The median of ascending <paramref name="sorted"/> (the mean of the middle two for an even count); null when empty.</summary>
    public static double? Median(long[] sorted) => Of(sorted, 0.5);

    /// <summary>The arithmetic mean; null when empty.</summary>
    public static double? Mean(long[] values)
    {
        if (values.Length == 0)
        {
            return null;
        }

        // Values are durations between accepted timestamps (below 2.6e11 s), so even millions of them
        // cannot overflow a long, and the integer sum keeps the mean exact until the one division.
        var sum = 0L;
        foreach (var value in values)
        {
            sum += value;
        }

        return (double)sum / values.Length;
    }
}
