namespace Stride.Core.Metrics;

/// <summary>
/// <see cref="WindowFacts"/> sorted once, from which the metrics of any window inside the facts'
/// range are computed with binary searches. Made by <see cref="MetricsEngine.Prepare"/>.
/// </summary>
/// <remarks>
/// Immutable once built, so <see cref="Compute"/> may be called from several threads at once.
/// Computing every bucket of a series costs about one sort of the facts in all, not one per bucket.
/// </remarks>
public sealed class PreparedFacts
{
    private const long Day = 86_400;

    private readonly long _from;
    private readonly long _to;

    // Deployments and lead times as given, and sorted by time only when a window that does not
    // hold them all asks: a single window (the read API's common case) needs no sort at all.
    private readonly TimeView _given;
    private readonly Lazy<TimeView> _sorted;
    private readonly long _earliest;
    private readonly long _latest;

    // Resolved incidents by resolution time.
    private readonly IncidentFact[] _resolved;
    private readonly long[] _resolvedAt;

    // For the open count at an instant t: created < t, minus those also resolved before t. An
    // incident is both created and resolved before t exactly when the later of the two is.
    private readonly long[] _createdAt;
    private readonly long[] _closedAt;

    // Summarized whole days (WindowFacts.Days), in day order.
    private readonly DayFacts[] _days;

    // Incidents open at every instant of the range (WindowFacts.OpenBefore).
    private readonly int _openBefore;

    internal PreparedFacts(WindowFacts facts)
    {
        _from = facts.From;
        _to = facts.To;

        var deployments = facts.Deployments.ToArray();
        var leadTimes = facts.LeadTimes.ToArray();
        _given = new TimeView(deployments, leadTimes);
        _sorted = new Lazy<TimeView>(() => TimeView.Sorted(deployments, leadTimes));
        _earliest = Math.Min(_given.DeployedAt.DefaultIfEmpty(long.MaxValue).Min(), leadTimes.Select(l => l.DeployedAt).DefaultIfEmpty(long.MaxValue).Min());
        _latest = Math.Max(_given.DeployedAt.DefaultIfEmpty(long.MinValue).Max(), leadTimes.Select(l => l.DeployedAt).DefaultIfEmpty(long.MinValue).Max());

        _resolved = facts.Incidents.Where(i => i.Resolved is not null).ToArray();
        _resolvedAt = _resolved.Select(i => i.Resolved!.Value).ToArray();
        Array.Sort(_resolvedAt, _resolved);

        _createdAt = facts.Incidents.Select(i => i.Created).ToArray();
        Array.Sort(_createdAt);
        _closedAt = _resolved.Select(i => Math.Max(i.Created, i.Resolved!.Value)).ToArray();
        Array.Sort(_closedAt);

        _days = [.. facts.Days.OrderBy(d => d.Day)];
        _openBefore = facts.OpenBefore;
    }

    /// <summary>The metrics of the window <c>[from, to)</c>.</summary>
    /// <param name="from">Start of the window, Unix seconds, inclusive.</param>
    /// <param name="to">End of the window, Unix seconds, exclusive; greater than <paramref name="from"/>.</param>
    /// <param name="benchmark">Which DORA report's tiers to apply.</param>
    /// <exception cref="ArgumentOutOfRangeException">The window is empty, not inside the facts' range, or cuts a summarized day.</exception>
    public MetricsReport Compute(long from, long to, Benchmark benchmark)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(from, _from);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(to, _to);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(to, from);
        var days = DaysIn(from, to);

        var covers = from <= _earliest && to > _latest;
        var view = covers ? _given : _sorted.Value;
        var first = covers ? 0 : LowerBound(view.DeployedAt, from);
        var end = covers ? view.DeployedAt.Length : LowerBound(view.DeployedAt, to);
        var deployments = end - first;
        var rework = view.ReworkBefore[end] - view.ReworkBefore[first];
        var failed = view.FailedBefore[end] - view.FailedBefore[first];
        foreach (var day in days)
        {
            deployments += day.DeployedAt.Length;
            rework += day.Rework;
            failed += day.Failed;
        }

        var leadFirst = covers ? 0 : LowerBound(view.LeadTimes, from);
        var leadEnd = covers ? view.LeadTimes.Length : LowerBound(view.LeadTimes, to);

        return new MetricsReport(
            DeploymentFrequencyOf(view.DeployedAt, first, end, days, deployments, from, to, benchmark),
            LeadTimeOf(view.LeadTimes, leadFirst, leadEnd, days, benchmark),
            new ChangeFailureRate(
                deployments,
                failed,
                deployments == 0 ? null : (double)failed / deployments,
                deployments == 0 ? null : Tiers.ChangeFailureRate(failed, deployments, benchmark)),
            TimeToRestoreOf(from, to, days),
            FailedDeploymentRecoveryTimeOf(from, to, days),
            new ReworkRate(deployments, rework, deployments == 0 ? null : (double)rework / deployments));
    }

    /// <summary>The summarized days inside <c>[from, to)</c>; throws when the window cuts one.</summary>
    private ReadOnlySpan<DayFacts> DaysIn(long from, long to)
    {
        var (firstDay, endDay) = DayFacts.WholeDays(from, to);
        var first = DayBound(firstDay);
        var end = DayBound(endDay);

        // A day just outside the whole ones but overlapping the window is cut by it.
        if ((first > 0 && _days[first - 1].End > from) || (end < _days.Length && _days[end].Start < to))
        {
            throw new ArgumentOutOfRangeException(nameof(from), $"The window [{from}, {to}) cuts a summarized day.");
        }

        return _days.AsSpan(first, end - first);
    }

    /// <summary>The index of the first summarized day numbered at least <paramref name="day"/>.</summary>
    private int DayBound(long day)
    {
        var lo = 0;
        var hi = _days.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_days[mid].Day < day)
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

    private static DeploymentFrequency DeploymentFrequencyOf(
        long[] deployedAt, int first, int end, ReadOnlySpan<DayFacts> summarized, int deployments, long from, long to, Benchmark benchmark)
    {
        var length = to - from;
        var perDay = deployments / (length / (double)Day);

        // Blocks are counted back from `to`; day k is [to − (k+1)·1d, to − k·1d). Only whole blocks
        // count, so a window that does not start at midnight loses its partial first day.
        var days = (int)(length / Day);
        var active = new bool[days];
        var firstWholeDay = to - days * Day;
        for (var i = first; i < end; i++)
        {
            if (deployedAt[i] >= firstWholeDay)
            {
                active[(to - 1 - deployedAt[i]) / Day] = true;
            }
        }

        // A calendar day overlaps at most two blocks: each is active when one of the day's
        // deployments falls in its part of the day.
        foreach (var day in summarized)
        {
            var start = Math.Max(day.Start, firstWholeDay);
            if (day.DeployedAt.Length == 0 || start >= day.End)
            {
                continue;
            }

            for (var block = (to - day.End) / Day; block <= (to - 1 - start) / Day; block++)
            {
                var blockStart = Math.Max(to - ((block + 1) * Day), start);
                var blockEnd = Math.Min(to - (block * Day), day.End);
                var index = LowerBound(day.DeployedAt, blockStart);
                if (index < day.DeployedAt.Length && day.DeployedAt[index] < blockEnd)
                {
                    active[block] = true;
                }
            }
        }

        var deploymentDays = active.Count(a => a);
        var perWeek = MedianActiveDays(active, 7);
        var perMonth = MedianActiveDays(active, 30);
        return new DeploymentFrequency(
            deployments,
            perDay,
            deploymentDays,
            perWeek,
            Tiers.DeploymentFrequency(perWeek, perMonth, deployments, benchmark));
    }

    /// <summary>Median over whole blocks of <paramref name="blockDays"/> days of the active days in each; null without a whole block.</summary>
    private static double? MedianActiveDays(bool[] active, int blockDays)
    {
        var blocks = active.Length / blockDays;
        if (blocks == 0)
        {
            return null;
        }

        var counts = new long[blocks];
        for (var b = 0; b < blocks; b++)
        {
            for (var d = b * blockDays; d < (b + 1) * blockDays; d++)
            {
                counts[b] += active[d] ? 1 : 0;
            }
        }

        Array.Sort(counts);
        return Percentiles.Of(counts, 0.5);
    }

    private static LeadTimeForChanges LeadTimeOf(LeadTimeFact[] leadTimes, int first, int end, ReadOnlySpan<DayFacts> summarized, Benchmark benchmark)
    {
        var withoutTimestamp = 0;
        var negative = 0;
        var values = new List<long>(end - first);
        for (var i = first; i < end; i++)
        {
            var fact = leadTimes[i];
            if (fact.ChangedAt is not { } changedAt)
            {
                withoutTimestamp++;
                continue;
            }

            var leadTime = fact.DeployedAt - changedAt;
            if (leadTime < 0)
            {
                negative++;
                continue;
            }

            values.Add(leadTime);
        }

        foreach (var day in summarized)
        {
            withoutTimestamp += day.WithoutTimestamp;
            negative += day.NegativeLeadTimes;
        }

        var (count, median, mean, p90) = Durations.Of(values, summarized, d => (d.LeadTimes, d.LeadTimeSum));
        return new LeadTimeForChanges(count, median, p90, mean, withoutTimestamp, negative, Tiers.LeadTime(median, benchmark));
    }

    private TimeToRestore TimeToRestoreOf(long from, long to, ReadOnlySpan<DayFacts> summarized)
    {
        var first = LowerBound(_resolvedAt, from);
        var end = LowerBound(_resolvedAt, to);
        var values = new List<long>(end - first);
        for (var i = first; i < end; i++)
        {
            var duration = _resolvedAt[i] - _resolved[i].Created;
            if (duration >= 0)
            {
                values.Add(duration);
            }
        }

        var (count, median, mean, p90) = Durations.Of(values, summarized, d => (d.RestoreTimes, d.RestoreTimeSum));
        return new TimeToRestore(count, median, mean, p90, OpenAt(to), Tiers.Restore(median));
    }

    /// <summary>The incidents created before <paramref name="instant"/> and unresolved at it.</summary>
    private int OpenAt(long instant)
    {
        var open = _openBefore + LowerBound(_createdAt, instant) - LowerBound(_closedAt, instant);

        // A summarized day before the instant adds those created in it and never resolved; of the
        // incidents resolved in a day after it, those created before it are open at it.
        var after = DayBound(DayFacts.DayOf(instant - 1) + 1);
        for (var i = 0; i < after; i++)
        {
            open += _days[i].Unresolved;
        }

        for (var i = after; i < _days.Length; i++)
        {
            open += LowerBound(_days[i].ResolvedCreatedAt, instant);
        }

        return open;
    }

    private FailedDeploymentRecoveryTime FailedDeploymentRecoveryTimeOf(long from, long to, ReadOnlySpan<DayFacts> summarized)
    {
        var first = LowerBound(_resolvedAt, from);
        var end = LowerBound(_resolvedAt, to);
        var values = new List<long>(end - first);
        for (var i = first; i < end; i++)
        {
            if (_resolved[i].DeployedAt is { } deployedAt && _resolvedAt[i] - deployedAt >= 0)
            {
                values.Add(_resolvedAt[i] - deployedAt);
            }
        }

        // Only the count and the median: the days keep no sum of recovery times, so the mean is not one.
        var (count, median, _, _) = Durations.Of(values, summarized, d => (d.RecoveryTimes, 0L));
        return new FailedDeploymentRecoveryTime(count, median, Tiers.Restore(median));
    }

    /// <summary>The index of the first element ≥ <paramref name="value"/> in ascending <paramref name="sorted"/>.</summary>
    private static int LowerBound(long[] sorted, long value)
    {
        var lo = 0;
        var hi = sorted.Length;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (sorted[mid] < value)
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

    private static int LowerBound(LeadTimeFact[] sorted, long deployedAt)
    {
        var lo = 0;
        var hi = sorted.Length;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (sorted[mid].DeployedAt < deployedAt)
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

    /// <summary>Deployments (with running rework and failure counts) and lead times, in one order.</summary>
    private sealed class TimeView
    {
        public TimeView(DeploymentFact[] deployments, LeadTimeFact[] leadTimes)
        {
            DeployedAt = new long[deployments.Length];
            ReworkBefore = new int[deployments.Length + 1];
            FailedBefore = new int[deployments.Length + 1];
            for (var i = 0; i < deployments.Length; i++)
            {
                DeployedAt[i] = deployments[i].Timestamp;
                ReworkBefore[i + 1] = ReworkBefore[i] + (deployments[i].Rework ? 1 : 0);
                FailedBefore[i + 1] = FailedBefore[i] + (deployments[i].Failed ? 1 : 0);
            }

            LeadTimes = leadTimes;
        }

        public long[] DeployedAt { get; }
        public int[] ReworkBefore { get; }
        public int[] FailedBefore { get; }
        public LeadTimeFact[] LeadTimes { get; }

        // Sorting by a separate array of primitive keys avoids a comparison delegate call per step.
        public static TimeView Sorted(DeploymentFact[] deployments, LeadTimeFact[] leadTimes)
        {
            var sortedDeployments = (DeploymentFact[])deployments.Clone();
            Array.Sort(sortedDeployments.Select(d => d.Timestamp).ToArray(), sortedDeployments);
            var sortedLeadTimes = (LeadTimeFact[])leadTimes.Clone();
            Array.Sort(sortedLeadTimes.Select(l => l.DeployedAt).ToArray(), sortedLeadTimes);
            return new TimeView(sortedDeployments, sortedLeadTimes);
        }
    }

    /// <summary>Count, median, mean and 90th percentile of durations, listed and in summarized days together.</summary>
    private static class Durations
    {
        public static (int Count, double? Median, double? Mean, double? P90) Of(
            List<long> listed, ReadOnlySpan<DayFacts> days, Func<DayFacts, (long[] Sorted, long Sum)> select)
        {
            var values = listed.ToArray();
            if (days.IsEmpty)
            {
                return (values.Length, Percentiles.OfUnsorted(values, 0.5), Percentiles.Mean(values), Percentiles.OfUnsorted(values, 0.9));
            }

            // The listed values become one more sorted run beside the days'.
            Array.Sort(values);
            var runs = new List<long[]>(days.Length + 1) { values };
            var count = (long)values.Length;
            var sum = values.Sum();
            foreach (var day in days)
            {
                var (sorted, daySum) = select(day);
                runs.Add(sorted);
                count += sorted.Length;
                sum += daySum;
            }

            return ((int)count, Percentiles.OfRuns(runs, 0.5), count == 0 ? null : (double)sum / count, Percentiles.OfRuns(runs, 0.9));
        }
    }
}
