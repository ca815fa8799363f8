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

    /// <summary>
    /// What <see cref="Of"/> gives for <paramref name="values"/> once sorted, without sorting them: the two
    /// values around the rank are found by selection. Reorders <paramref name="values"/> (not their multiset).
    /// </summary>
    /// <remarks>
    /// A window's lead times can be hundreds of thousands; selecting the two values a percentile needs
    /// takes a few passes over them, where sorting took most of a metrics request's own work.
    /// </remarks>
    public static double? OfUnsorted(long[] values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0)
        {
            return null;
        }

        var rank = p * (values.Length - 1);
        var lower = (int)Math.Floor(rank);
        var upper = (int)Math.Ceiling(rank);
        var low = Select(values, lower);

        // After the selection everything past `lower` is at least `low`: the next rank is their minimum.
        var high = upper == lower ? low : Min(values, lower + 1);
        return low + ((high - low) * (rank - lower));
    }

    /// <summary>Moves the <paramref name="k"/>-th smallest value (from 0) to index k, smaller ones before it and larger after; returns it.</summary>
    /// <param name="partitions">How many partitions to try before sorting what is left, which bounds the worst case by a sort's.</param>
    internal static long Select(long[] values, int k, int? partitions = null)
    {
        var lo = 0;
        var hi = values.Length - 1;
        var budget = partitions ?? (2 * System.Numerics.BitOperations.Log2((uint)values.Length)) + 4;
        while (hi > lo)
        {
            if (budget-- == 0)
            {
                Array.Sort(values, lo, hi - lo + 1);
                return values[k];
            }

            // Median of three as the pivot (so sorted and reversed inputs split in halves), then
            // Hoare's partition: afterwards [lo, j] ≤ pivot ≤ [i, hi], and anything between equals it.
            var mid = lo + ((hi - lo) / 2);
            if (values[mid] < values[lo])
            {
                (values[mid], values[lo]) = (values[lo], values[mid]);
            }

            if (values[hi] < values[lo])
            {
                (values[hi], values[lo]) = (values[lo], values[hi]);
            }

            if (values[hi] < values[mid])
            {
                (values[hi], values[mid]) = (values[mid], values[hi]);
            }

            var pivot = values[mid];
            var i = lo;
            var j = hi;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                hi = j;
            }
            else if (k >= i)
            {
                lo = i;
            }
            else
            {
                return values[k];
            }
        }

        return values[k];
    }

    private static long Min(long[] values, int from)
    {
        var min = values[from];
        for (var i = from + 1; i < values.Length; i++)
        {
            min = Math.Min(min, values[i]);
        }

        return min;
    }

    /// <summary>
    /// What <see cref="Of"/> gives for the values of all <paramref name="runs"/> together once sorted,
    /// without merging them; null when they are all empty.
    /// </summary>
    /// <param name="runs">Ascending runs of values.</param>
    /// <param name="p">The percentile, from 0 to 1.</param>
    /// <remarks>
    /// The value at a rank is found by a binary search over values, counting at each step the values
    /// at or below the middle with a binary search in each run: a few dozen steps of one search per
    /// run, however long the runs are.
    /// </remarks>
    public static double? OfRuns(IReadOnlyList<long[]> runs, double p)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var count = 0L;
        foreach (var run in runs)
        {
            count += run.Length;
        }

        if (count == 0)
        {
            return null;
        }

        var rank = p * (count - 1);
        var lower = (long)Math.Floor(rank);
        var upper = (long)Math.Ceiling(rank);
        var low = SelectInRuns(runs, lower);
        var high = upper == lower || CountAtOrBelow(runs, low) > upper ? low : NextAbove(runs, low);
        return low + ((high - low) * (rank - lower));
    }

    /// <summary>The <paramref name="k"/>-th smallest value (from 0) of the runs together.</summary>
    private static long SelectInRuns(IReadOnlyList<long[]> runs, long k)
    {
        // The least value with more than k values at or below it: it is one of the values. Each run's
        // search narrows with the value range: its items before low[r] are below the range, those from
        // high[r] on above it.
        var lo = long.MaxValue;
        var hi = long.MinValue;
        foreach (var run in runs)
        {
            if (run.Length > 0)
            {
                lo = Math.Min(lo, run[0]);
                hi = Math.Max(hi, run[^1]);
            }
        }

        var count = runs.Count;
        Span<int> bounds = count <= 1024 ? stackalloc int[3 * count] : new int[3 * count];
        var low = bounds[..count];
        var high = bounds.Slice(count, count);
        var split = bounds.Slice(2 * count, count);
        for (var r = 0; r < count; r++)
        {
            high[r] = runs[r].Length;
        }

        var below = 0L;
        while (lo < hi)
        {
            var mid = (lo >> 1) + (hi >> 1) + (lo & hi & 1); // the floor of their mean, without overflow
            var atOrBelow = below;
            for (var r = 0; r < count; r++)
            {
                split[r] = UpperBound(runs[r], mid, low[r], high[r]);
                atOrBelow += split[r] - low[r];
            }

            if (atOrBelow > k)
            {
                hi = mid;
                split.CopyTo(high);
            }
            else
            {
                lo = mid + 1;
                below = atOrBelow;
                split.CopyTo(low);
            }
        }

        return lo;
    }

    private static long CountAtOrBelow(IReadOnlyList<long[]> runs, long value)
    {
        var count = 0L;
        foreach (var run in runs)
        {
            count += UpperBound(run, value, 0, run.Length);
        }

        return count;
    }

    /// <summary>The least value of the runs above <paramref name="value"/> (there is one).</summary>
    private static long NextAbove(IReadOnlyList<long[]> runs, long value)
    {
        var next = long.MaxValue;
        foreach (var run in runs)
        {
            var index = UpperBound(run, value, 0, run.Length);
            if (index < run.Length)
            {
                next = Math.Min(next, run[index]);
            }
        }

        return next;
    }

    /// <summary>The index of the first value above <paramref name="value"/> in ascending <paramref name="run"/>, searched in <c>[lo, hi)</c>.</summary>
    private static int UpperBound(long[] run, long value, int lo, int hi)
    {
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (run[mid] <= value)
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
