using Stride.Core.Metrics;

namespace Stride.Storage.Memory;

/// <summary>
/// An organization's successful deployments, lead times and resolved incidents in one environment,
/// across all its systems, summed up by UTC day: what a window of all systems reads for its whole days.
/// </summary>
/// <remarks>
/// <para>Kept by the index as facts come and go. Adding a fact appends it to its day; the day is
/// sorted only when a read next asks for it (<see cref="Between"/>), and its sorted copy is kept for
/// the reads after, until the day changes again. So a load pays no sorting per event, and a read
/// after a write sorts only the days the write touched.</para>
/// <para>Changed only under the index's write lock. Reads run under its read lock, several at once:
/// the sorted copy of a day may be made by two of them, which is harmless (they are equal).</para>
/// </remarks>
internal sealed class DaySummaries
{
    private readonly Dictionary<long, Day> _days = [];

    // Events come mostly in time order: the last day used is most often the next one asked for.
    private long _lastNumber = long.MinValue;
    private Day? _last;

    public void Add(DeploymentFact deployment) => DayOf(deployment.Timestamp).Add(deployment);

    public void Remove(DeploymentFact deployment) => DayOf(deployment.Timestamp).Remove(deployment);

    public void Add(LeadTimeFact leadTime) => DayOf(leadTime.DeployedAt).Add(leadTime);

    public void Remove(LeadTimeFact leadTime) => DayOf(leadTime.DeployedAt).Remove(leadTime);

    /// <summary>
    /// Adds an incident (with its attributed deployment in this environment, if any) to the day it was
    /// resolved, or while unresolved to the day it was created.
    /// </summary>
    public void Add(IncidentFact incident) => DayOf(incident.Resolved ?? incident.Created).Add(incident);

    public void Remove(IncidentFact incident) => DayOf(incident.Resolved ?? incident.Created).Remove(incident);

    /// <summary>The summaries of the days numbered <c>[first, end)</c> that hold any fact, in day order.</summary>
    public List<DayFacts> Between(long first, long end)
    {
        var days = new List<DayFacts>();
        if (end - first <= _days.Count)
        {
            for (var number = first; number < end; number++)
            {
                if (_days.TryGetValue(number, out var day) && !day.IsEmpty)
                {
                    days.Add(day.Summary(number));
                }
            }
        }
        else
        {
            // A window far longer than the organization's history: walk the days there are.
            foreach (var (number, day) in _days)
            {
                if (number >= first && number < end && !day.IsEmpty)
                {
                    days.Add(day.Summary(number));
                }
            }

            days.Sort((a, b) => a.Day.CompareTo(b.Day));
        }

        return days;
    }

    private Day DayOf(long timestamp)
    {
        var number = DayFacts.DayOf(timestamp);
        if (number == _lastNumber)
        {
            return _last!;
        }

        if (!_days.TryGetValue(number, out var day))
        {
            day = new Day();
            _days.Add(number, day);
        }

        (_lastNumber, _last) = (number, day);
        return day;
    }

    private sealed class Day
    {
        // Unsorted; a removal takes the last item's place.
        private readonly List<long> _deployedAt = [];
        private readonly List<long> _leadTimes = [];
        private int _rework;
        private int _failed;
        private long _leadTimeSum;
        private int _negative;
        private int _withoutTimestamp;
        private readonly List<long> _resolvedCreatedAt = [];
        private readonly List<long> _restoreTimes = [];
        private readonly List<long> _recoveryTimes = [];
        private long _restoreTimeSum;
        private int _unresolved;

        // The sorted summary, until the day changes.
        private DayFacts? _summary;

        public bool IsEmpty => _deployedAt.Count == 0 && _leadTimes.Count == 0 && _negative == 0 && _withoutTimestamp == 0 && _resolvedCreatedAt.Count == 0 && _unresolved == 0;

        public void Add(DeploymentFact deployment) => Count(deployment, 1);

        public void Remove(DeploymentFact deployment) => Count(deployment, -1);

        public void Add(LeadTimeFact leadTime) => Count(leadTime, 1);

        public void Remove(LeadTimeFact leadTime) => Count(leadTime, -1);

        public void Add(IncidentFact incident) => Count(incident, 1);

        public void Remove(IncidentFact incident) => Count(incident, -1);

        public DayFacts Summary(long number)
        {
            if (Volatile.Read(ref _summary) is { } summary)
            {
                return summary;
            }

            summary = new DayFacts(
                number,
                Sorted(_deployedAt),
                _rework,
                _failed,
                Sorted(_leadTimes),
                _leadTimeSum,
                _negative,
                _withoutTimestamp,
                Sorted(_resolvedCreatedAt),
                Sorted(_restoreTimes),
                _restoreTimeSum,
                Sorted(_recoveryTimes),
                _unresolved);
            Volatile.Write(ref _summary, summary);
            return summary;
        }

        // A sign of 1 adds the fact, -1 takes it away.
        private void Count(DeploymentFact deployment, int sign)
        {
            _summary = null;
            Count(_deployedAt, deployment.Timestamp, sign);
            _rework += deployment.Rework ? sign : 0;
            _failed += deployment.Failed ? sign : 0;
        }

        private void Count(LeadTimeFact leadTime, int sign)
        {
            _summary = null;
            if (leadTime.ChangedAt is not { } changedAt)
            {
                _withoutTimestamp += sign;
            }
            else if (leadTime.DeployedAt - changedAt is var value && value < 0)
            {
                _negative += sign;
            }
            else
            {
                Count(_leadTimes, value, sign);
                _leadTimeSum += sign * value;
            }
        }

        private void Count(IncidentFact incident, int sign)
        {
            _summary = null;
            if (incident.Resolved is not { } resolved)
            {
                _unresolved += sign;
                return;
            }

            Count(_resolvedCreatedAt, incident.Created, sign);
            if (resolved - incident.Created is var restore and >= 0)
            {
                Count(_restoreTimes, restore, sign);
                _restoreTimeSum += sign * restore;
            }

            if (resolved - incident.DeployedAt is { } recovery and >= 0)
            {
                Count(_recoveryTimes, recovery, sign);
            }
        }

        /// <summary>Adds the value, or takes one like it away (a removal takes the last item's place: the list is unsorted).</summary>
        private static void Count(List<long> values, long value, int sign)
        {
            if (sign > 0)
            {
                values.Add(value);
                return;
            }

            var index = values.IndexOf(value);
            if (index < 0)
            {
                throw new InvalidOperationException($"The day holds no value {value} to remove.");
            }

            values[index] = values[^1];
            values.RemoveAt(values.Count - 1);
        }

        private static long[] Sorted(List<long> values)
        {
            var sorted = values.ToArray();
            Array.Sort(sorted);
            return sorted;
        }
    }
}
