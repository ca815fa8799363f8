using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Storage.Memory;

/// <summary>The reads: window facts, lists a page at a time, and the lookups.</summary>
internal sealed partial class OrganizationIndex
{
    /// <summary>The facts of <c>[from, to)</c> in one environment, for some systems or all (empty); names as callers give them.</summary>
    /// <param name="byDay">Whether whole UTC days may come summarized (<see cref="WindowFacts.Days"/>), which they do for all
    /// systems, and incidents open since before the window counted (<see cref="WindowFacts.OpenBefore"/>).</param>
    public WindowFacts Facts(long from, long to, string environmentName, IReadOnlyList<string> selected, bool byDay = false)
    {
        ArgumentNullException.ThrowIfNull(selected);
        ArgumentOutOfRangeException.ThrowIfLessThan(to, from);
        var env = EnvironmentName.Normalize(environmentName);
        var systems = selected.Select(SystemName.Normalize).Distinct(StringComparer.Ordinal).ToList();
        _lock.EnterReadLock();
        try
        {
            // For all systems, the whole days come from the day summaries, and the lists hold only the
            // partial days at either end: the work no longer grows with how busy the days were.
            // (An environment without summaries has had no deployment: it is read as it is, for its incidents.)
            var (firstDay, endDay) = DayFacts.WholeDays(from, to);
            var (firstStart, endStart) = (firstDay * DayFacts.Length, endDay * DayFacts.Length);
            var summaries = byDay && systems.Count == 0 && endDay > firstDay ? _days.GetValueOrDefault(env) : null;
            var days = summaries?.Between(firstDay, endDay) ?? [];
            (long From, long To)[] spans = summaries is null ? [(from, to)] : [(from, firstStart), (endStart, to)];

            // The window's deployments are counted first, so that the lists are allocated once at
            // their size: a year of a large organization is a million facts, and growing a list by
            // doubling allocates and copies it twice over.
            var ranges = new List<(Timeline<DeploymentNode> Deployments, int Start, int End)>();
            var count = 0;
            foreach (var system in Selected(systems))
            {
                if (system.Environments.TryGetValue(env, out var environment))
                {
                    var successful = environment.Successful;
                    foreach (var span in spans)
                    {
                        var (start, end) = (successful.Below(span.From), successful.Below(span.To));
                        if (end > start)
                        {
                            ranges.Add((successful, start, end));
                            count += end - start;
                        }
                    }
                }
            }

            var deployments = new List<DeploymentFact>(count);
            var leadTimes = new List<LeadTimeFact>(count * 3);
            foreach (var (successful, start, end) in ranges)
            {
                for (var i = start; i < end; i++)
                {
                    var deployment = successful[i];
                    deployments.Add(new DeploymentFact(deployment.Timestamp, deployment.Rework, deployment.Incidents.Count > 0));
                    foreach (var change in deployment.Changes)
                    {
                        // The deployment's own environment name: the same string as the nodes hold, so
                        // the lookup compares references.
                        if (ReferenceEquals(change.FirstIn(deployment.Env), deployment))
                        {
                            leadTimes.Add(new LeadTimeFact(deployment.Timestamp, change.Timestamp));
                        }
                    }
                }
            }

            var incidents = new List<IncidentFact>();
            var openBefore = 0;
            foreach (var system in Selected(systems))
            {
                // Resolved in range, or created before `to` and unresolved at `to`: one resolved after
                // `to` but created before it lasted more than (resolved - to), which bounds the range.
                // Those resolved in a summarized day are there.
                var resolved = system.Resolved;
                var last = to > long.MaxValue - system.MaxSpan ? long.MaxValue : to + system.MaxSpan;
                (int Start, int End)[] resolvedRanges = summaries is null
                    ? [(resolved.Below(from), resolved.AtOrBelow(last))]
                    : [(resolved.Below(from), resolved.Below(firstStart)), (resolved.Below(endStart), resolved.AtOrBelow(last))];
                foreach (var (start, end) in resolvedRanges)
                {
                    for (var i = start; i < end; i++)
                    {
                        var incident = resolved[i];
                        if (incident.Resolved < to || incident.Created < to)
                        {
                            incidents.Add(Fact(incident, env));
                        }
                    }
                }

                // Read by day, those open since before the window are only counted: all they add is
                // that they are open, and a long history holds many. Those created in a summarized
                // day are there.
                var open = system.Open;
                var since = byDay ? open.Below(from) : 0;
                openBefore += since;
                (int Start, int End)[] openRanges = summaries is null
                    ? [(since, open.Below(to))]
                    : [(since, open.Below(firstStart)), (open.Below(endStart), open.Below(to))];
                foreach (var (start, end) in openRanges)
                {
                    for (var i = start; i < end; i++)
                    {
                        incidents.Add(Fact(open[i], env));
                    }
                }
            }

            return new WindowFacts(from, to, deployments, leadTimes, incidents) { Days = days, OpenBefore = openBefore };
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private static IncidentFact Fact(IncidentNode incident, string env)
        => new(incident.Created, incident.Resolved, incident.AttributedIn(env)?.Timestamp);

    /// <summary>The latest successful deployment of a system in an environment (ties: greatest identifier); names as callers give them.</summary>
    public LatestDeployment? Latest(string system, string environment)
    {
        ArgumentNullException.ThrowIfNull(system);
        _lock.EnterReadLock();
        try
        {
            return _systems.TryGetValue(SystemName.Normalize(system), out var node)
                && node.Environments.TryGetValue(EnvironmentName.Normalize(environment), out var env)
                && env.Successful.Last is { } last
                ? new LatestDeployment(last.System, last.Env, last.Id, last.Timestamp, last.Commit)
                : null;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Every system that sent an event, in name order.</summary>
    public List<string> SystemNames()
    {
        _lock.EnterReadLock();
        try
        {
            return [.. Named().Select(s => s.Name)];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Every system that sent an event, with its successful deployments in an environment.</summary>
    public List<SystemSummary> Systems(string env)
    {
        _lock.EnterReadLock();
        try
        {
            return [.. Named().Select(s => s.Environments.TryGetValue(env, out var e) && e.Successful.Count > 0
                ? new SystemSummary(s.Name, e.Successful.Count, e.Successful.Last!.Timestamp)
                : new SystemSummary(s.Name, 0, null))];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private IEnumerable<SystemNode> Named()
        => _systems.Values.Where(s => s.HasChanges || s.Incidents.Count > 0 || s.HasDeployments).OrderBy(s => s.Name, CodePointOrder.Comparer);

    /// <summary>Deployments of the window in the environment, newest first, a page at a time.</summary>
    public ListPage<DeploymentRow> Deployments(ListQuery query) => List(
        query,
        s => s.Environments.TryGetValue(query.Environment, out var e) ? e.All : null,
        Row,
        d => new ListPosition(d.Timestamp, d.System, d.Id));

    /// <summary>Incidents created in the window, newest first, with their attribution in the environment.</summary>
    public ListPage<IncidentRow> Incidents(ListQuery query) => List(
        query,
        s => s.IncidentsByCreated,
        i => Row(i, query.Environment),
        i => new ListPosition(i.Created, i.System, i.Id));

    /// <summary>Changes pushed in the window, newest first, with their first deployment in the environment.</summary>
    public ListPage<ChangeRow> Changes(ListQuery query) => List(
        query,
        s => s.Changes,
        c =>
        {
            var first = c.FirstIn(query.Environment);
            return new ChangeRow(c.System, c.Id, c.Timestamp!.Value, first?.Id, first?.Timestamp, first?.Timestamp - c.Timestamp);
        },
        c => new ListPosition(c.Timestamp!.Value, c.System, c.Id));

    private ListPage<TRow> List<T, TRow>(ListQuery query, Func<SystemNode, Timeline<T>?> timelineOf, Func<T, TRow> row, Func<T, ListPosition> position)
        where T : class
    {
        _lock.EnterReadLock();
        try
        {
            var page = Page(query, timelineOf);
            return new([.. page.Select(row)], Next(page.Count, query, page.Count == 0 ? null : position(page[^1])));
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>A deployment with its changes and attributed incidents, or null when there is none of that key.</summary>
    public DeploymentDetail? Deployment(string system, string env, string id)
    {
        _lock.EnterReadLock();
        try
        {
            if (!_systems.TryGetValue(system, out var node) || !node.Environments.TryGetValue(env, out var environment)
                || !environment.ById.TryGetValue(id, out var deployment))
            {
                return null;
            }

            var changes = deployment.Changes.Select(c =>
            {
                var first = ReferenceEquals(c.FirstIn(env), deployment);
                return new DeploymentChange(c.Id, c.Timestamp, first ? deployment.Timestamp - c.Timestamp : null, first);
            });
            var incidents = ToList(deployment.Incidents)
                .OrderByDescending(i => i.Created).ThenByDescending(i => i.Id, CodePointOrder.Comparer)
                .Select(i => new IncidentRow(i.System, i.Id, i.Created, i.Resolved, i.Deployment, deployment.Id));
            return new DeploymentDetail(Row(deployment), [.. changes], [.. incidents]);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>The incidents of that identifier, one per system that has one, in system order.</summary>
    public List<Incident> IncidentsNamed(string id)
    {
        _lock.EnterReadLock();
        try
        {
            return [.. _systems.Values
                .Select(s => s.Incidents.GetValueOrDefault(id))
                .OfType<IncidentNode>()
                .OrderBy(i => i.System, CodePointOrder.Comparer)
                .Select(i => new Incident(i.System, i.Id, i.Created, i.Resolved, i.Deployment))];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private static DeploymentRow Row(DeploymentNode d)
    {
        var leads = new List<long>();
        foreach (var change in d.Changes)
        {
            if (change.Timestamp is { } changed && ReferenceEquals(change.FirstIn(d.Env), d))
            {
                leads.Add(d.Timestamp - changed);
            }
        }

        var incidents = ToList(d.Incidents).Select(i => i.Id).Order(CodePointOrder.Comparer).ToList();
        return new DeploymentRow(
            d.System, d.Env, d.Id, d.Timestamp, d.Result, d.Rework, d.Commit, d.Teams, d.Changes.Length,
            Percentiles.OfUnsorted([.. leads], 0.5), incidents);
    }

    private static List<T> ToList<T>(Nodes<T> nodes) where T : class
    {
        var list = new List<T>(nodes.Count);
        foreach (var node in nodes)
        {
            list.Add(node);
        }

        return list;
    }

    private static IncidentRow Row(IncidentNode i, string env)
        => new(i.System, i.Id, i.Created, i.Resolved, i.Deployment, i.AttributedIn(env)?.Id);

    /// <summary>
    /// The page of a newest-first list: (time, system, identifier) descending across the selected
    /// systems' timelines, within <c>[From, To)</c> and strictly after <see cref="ListQuery.After"/>.
    /// </summary>
    private List<T> Page<T>(ListQuery query, Func<SystemNode, Timeline<T>?> timelineOf) where T : class
    {
        // Each system's cursor starts below the bound, then the greatest head is taken until the page
        // is full: a merge costing (page + systems) × log(systems).
        var heads = new PriorityQueue<Cursor<T>, Cursor<T>>(Cursor<T>.Newest);
        foreach (var system in Selected(query.Systems))
        {
            if (timelineOf(system) is not { } timeline)
            {
                continue;
            }

            var end = timeline.Below(query.To);
            if (query.After is { } after)
            {
                var order = CodePointOrder.Compare(system.Name, after.System);
                var bound = order < 0 ? timeline.AtOrBelow(after.Timestamp)
                    : order > 0 ? timeline.Below(after.Timestamp)
                    : timeline.Below(after.Timestamp, after.Identifier);
                end = Math.Min(end, bound);
            }

            var start = timeline.Below(query.From);
            if (end > start)
            {
                var cursor = new Cursor<T>(system.Name, timeline, start, end - 1);
                heads.Enqueue(cursor, cursor);
            }
        }

        var page = new List<T>(Math.Min(query.Limit, 1024));
        while (page.Count < query.Limit && heads.TryDequeue(out var cursor, out _))
        {
            page.Add(cursor.Item);
            if (cursor.Next())
            {
                heads.Enqueue(cursor, cursor);
            }
        }

        return page;
    }

    private IEnumerable<SystemNode> Selected(IEnumerable<string> systems)
    {
        var any = false;
        foreach (var name in systems.Distinct(StringComparer.Ordinal))
        {
            any = true;
            if (_systems.TryGetValue(name, out var system))
            {
                yield return system;
            }
        }

        if (!any)
        {
            foreach (var system in _systems.Values)
            {
                yield return system;
            }
        }
    }

    // A full page may have more after it; a short one is the last.
    private static ListPosition? Next(int count, ListQuery query, ListPosition? last) => count == query.Limit ? last : null;

    /// <summary>A position in one system's timeline, walking down from the newest item of the range.</summary>
    private sealed class Cursor<T>(string system, Timeline<T> timeline, int first, int index) where T : class
    {
        private readonly int _first = first;
        private int _index = index;

        public static readonly IComparer<Cursor<T>> Newest = Comparer<Cursor<T>>.Create((a, b) =>
        {
            // The priority queue takes the least first: order so that the greatest (time, system, id) is least.
            var time = b.Time.CompareTo(a.Time);
            if (time != 0)
            {
                return time;
            }

            var system = CodePointOrder.Compare(b.System, a.System);
            return system != 0 ? system : CodePointOrder.Compare(b.Id, a.Id);
        });

        public string System { get; } = system;

        public T Item => timeline[_index];

        private long Time => timeline.TimeOf(_index);

        private string Id => timeline.IdOf(_index);

        public bool Next() => --_index >= _first;
    }
}
