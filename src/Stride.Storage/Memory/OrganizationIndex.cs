using System.Runtime.InteropServices;
using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Storage.Memory;

/// <summary>
/// One organization's stored events held in memory, with the facts SPEC §3 derives from them kept
/// right after every event: each change's first successful deployment per environment, and each
/// incident's attributed deployment per environment.
/// </summary>
/// <remarks>
/// <para>Fed the events as the store saved them (a deployment with the changes its push chain gave
/// it), in the order it saved them; applies SPEC §2's rules for repeated pushes itself. Every read and
/// list of the event store is answered from here, each doing work proportional to what it returns.</para>
/// <para>Thread-safe: one writer at a time (<see cref="Apply"/>), readers alongside each other.</para>
/// </remarks>
internal sealed partial class OrganizationIndex
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<string, SystemNode> _systems = new(StringComparer.Ordinal);

    // Scratch sets of one deployment's upkeep, reused (there is one writer at a time).
    private readonly HashSet<ChangeNode> _recompute = [];
    private readonly HashSet<IncidentNode> _affected = [];
    private readonly List<(ChangeNode Change, LeadTimeFact? Before)> _leadTimes = [];

    // While building from the tables: timelines are appended to and sorted once at the end, since
    // the rows come in key order, not time order (inserting each in place would be quadratic).
    private bool _building;

    /// <summary>Builds the index of an empty organization from its saved events: changes, then deployments, then incidents.</summary>
    public void Load(IEnumerable<Event> saved)
    {
        _lock.EnterWriteLock();
        try
        {
            _building = true;
            foreach (var e in saved)
            {
                if (e is Incident && _building)
                {
                    Built();
                }

                ApplyOne(e);
            }

            if (_building)
            {
                Built();
            }
        }
        finally
        {
            _building = false;
            _lock.ExitWriteLock();
        }
    }

    private void Built()
    {
        _building = false;
        foreach (var system in _systems.Values)
        {
            system.Changes.Sort();
            foreach (var env in system.Environments.Values)
            {
                env.All.Sort();
                env.Successful.Sort();
            }
        }
    }

    /// <summary>Applies saved events in order.</summary>
    public void Apply(IEnumerable<Event> events)
    {
        _lock.EnterWriteLock();
        try
        {
            foreach (var e in events)
            {
                ApplyOne(e);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private void ApplyOne(Event e)
    {
        switch (e)
        {
            case Change change:
                ApplyChange(change);
                break;
            case Deployment deployment:
                ApplyDeployment(deployment);
                break;
            case Incident incident:
                ApplyIncident(incident);
                break;
        }
    }

    // The nodes are found or added with one hash lookup (GetValueRefOrAddDefault): this is on every event's path.
    private SystemNode System(string name) => CollectionsMarshal.GetValueRefOrAddDefault(_systems, name, out _) ??= new SystemNode(name);

    private void ApplyChange(Change change)
    {
        // A change keeps the earliest time pushed for it.
        var system = System(change.System);
        var node = system.Change(change.Identifier);
        var stored = node.Timestamp;
        if (stored <= change.Timestamp)
        {
            return;
        }

        MoveLeadTimes(node, change.Timestamp);
        if (_building)
        {
            // Unsorted until built, and sorted by the time it holds then: a change loaded again (from
            // several feed rows) is appended once.
            node.Timestamp = change.Timestamp;
            if (stored is null)
            {
                system.Changes.Append(node);
            }

            return;
        }

        if (stored is not null)
        {
            system.Changes.Remove(node);
        }

        node.Timestamp = change.Timestamp;
        system.Changes.Insert(node);
    }

    private void ApplyDeployment(Deployment deployment)
    {
        // A push replaces the stored version whole: its old effects are undone, the new ones added,
        // and what the old version held (first deployments, attributed incidents) worked out again.
        var system = System(deployment.System);
        var env = system.Environment(deployment.Environment);
        var recompute = _recompute;
        var affected = _affected;
        recompute.Clear();
        affected.Clear();
        var changes = ChangeNodes(system, deployment.Changes ?? []);
        var days = env.Days ??= Days(env.Name);

        // The lead times it can move are those of the changes its old and new versions list: noted
        // now, and set right in the day summaries once it is in place.
        var leadTimes = _leadTimes;
        leadTimes.Clear();
        if (env.ById.TryGetValue(deployment.Identifier, out var node))
        {
            NoteLeadTimes(node.Changes, [], env.Name, leadTimes);
            NoteLeadTimes(changes, node.Changes, env.Name, leadTimes);
            Detach(env, node, recompute, affected);
        }
        else
        {
            // The system's and environment's own name strings: comparing an environment is then
            // comparing references.
            node = new DeploymentNode(system.Name, env.Name, deployment.Identifier);
            env.ById.Add(node.Id, node);
            NoteLeadTimes(changes, [], env.Name, leadTimes);
        }

        node.Timestamp = deployment.Timestamp;
        node.Result = deployment.Result;
        node.Rework = deployment.Rework;
        node.Commit = deployment.Commit;
        node.Teams = deployment.Teams ?? [];
        node.Changes = changes;
        if (_building)
        {
            // Each row is a different deployment, and no incident is loaded yet.
            Attach(env, node);
        }
        else
        {
            Attach(system, env, node, affected);
        }

        foreach (var change in recompute)
        {
            RecomputeFirst(change, env.Name);
        }

        foreach (var incident in affected)
        {
            Attribute(system, incident, env);
        }

        // The affected incidents are all that can have a new recovery time: those attributed to it
        // before (its time may have moved) and those attributed anew.
        Publish(node, days);
        PublishLeadTimes(leadTimes, env.Name, days);
        foreach (var incident in affected)
        {
            Publish(incident);
        }
    }

    private static ChangeNode[] ChangeNodes(SystemNode system, IReadOnlyList<string> ids)
    {
        // Lists come distinct from the store; a repeat is dropped all the same (a deployment lists a
        // change once). Short lists, the usual ones, are checked without a set.
        var nodes = new ChangeNode[ids.Count];
        var count = 0;
        var seen = ids.Count > 16 ? new HashSet<ChangeNode>(ids.Count) : null;
        foreach (var id in ids)
        {
            var node = system.Change(id);
            if (seen?.Add(node) ?? Array.IndexOf(nodes, node, 0, count) < 0)
            {
                nodes[count++] = node;
            }
        }

        return count == nodes.Length ? nodes : nodes[..count];
    }

    private static void Detach(EnvironmentNode env, DeploymentNode node, HashSet<ChangeNode> recompute, HashSet<IncidentNode> affected)
    {
        env.All.Remove(node);
        if (node.Ok)
        {
            env.Successful.Remove(node);
            foreach (var incident in node.Incidents)
            {
                affected.Add(incident);
            }
        }

        foreach (var change in node.Changes)
        {
            change.RemoveListing(node);
            if (ReferenceEquals(change.FirstIn(env.Name), node))
            {
                recompute.Add(change);
            }
        }
    }

    private static void Attach(SystemNode system, EnvironmentNode env, DeploymentNode node, HashSet<IncidentNode> affected)
    {
        env.All.Insert(node);
        List(env, node);
        if (!node.Ok)
        {
            return;
        }

        env.Successful.Insert(node);

        // Incidents naming it may now take it, and so may those created from its time until the
        // next successful deployment (after which the later one is the latest at or before them).
        if (system.Naming.TryGetValue(node.Id, out var naming))
        {
            affected.UnionWith(naming);
        }

        var index = env.Successful.Below(node.Timestamp, node.Id);
        var until = index + 1 < env.Successful.Count ? env.Successful[index + 1].Timestamp : long.MaxValue;
        var incidents = system.IncidentsByCreated;
        for (int i = incidents.Below(node.Timestamp), end = until == long.MaxValue ? incidents.Count : incidents.Below(until); i < end; i++)
        {
            affected.Add(incidents[i]);
        }
    }

    /// <summary>Attaches a deployment while building: appended to its timelines, no incident to attribute yet.</summary>
    private static void Attach(EnvironmentNode env, DeploymentNode node)
    {
        env.All.Append(node);
        List(env, node);
        if (node.Ok)
        {
            env.Successful.Append(node);
        }
    }

    /// <summary>Records that the deployment lists its changes, and offers it as their first deployment.</summary>
    private static void List(EnvironmentNode env, DeploymentNode node)
    {
        foreach (var change in node.Changes)
        {
            change.AddListing(node);
            if (node.Ok && change.FirstIn(env.Name) is var first && (first is null || Order(node, first) < 0))
            {
                change.SetFirst(env.Name, node);
            }
        }
    }

    private static void RecomputeFirst(ChangeNode change, string env)
    {
        DeploymentNode? best = null;
        foreach (var deployment in change.ListedBy)
        {
            if (deployment.Env == env && deployment.Ok && (best is null || Order(deployment, best) < 0))
            {
                best = deployment;
            }
        }

        change.SetFirst(env, best);
    }

    private void ApplyIncident(Incident incident)
    {
        // A push replaces the creation time, and the resolution and named deployment only when given.
        var system = System(incident.System);
        if (system.Incidents.TryGetValue(incident.Identifier, out var node))
        {
            system.Unindex(node);
        }
        else
        {
            node = new IncidentNode(system.Name, incident.Identifier);
            system.Incidents.Add(node.Id, node);
        }

        node.Created = incident.TimestampCreated;
        node.Resolved = incident.TimestampResolved ?? node.Resolved;
        node.Deployment = incident.Deployment ?? node.Deployment;
        system.Index(node);
        foreach (var env in system.Environments.Values)
        {
            Attribute(system, node, env);
        }

        Publish(node);
    }

    /// <summary>
    /// SPEC §3: the named deployment when a successful one of that identifier exists in the environment,
    /// else the latest successful one at or before the creation time (ties: greatest identifier).
    /// </summary>
    private void Attribute(SystemNode system, IncidentNode incident, EnvironmentNode env)
    {
        DeploymentNode? target = null;
        if (incident.Deployment is { } named && env.ById.TryGetValue(named, out var deployment) && deployment.Ok)
        {
            target = deployment;
        }
        else if (env.Successful.AtOrBelow(incident.Created) is var count and > 0)
        {
            target = env.Successful[count - 1];
        }

        // The deployments it leaves and joins may become failed or stop being so. (Its own recovery
        // time is published by the caller, once the incident and its deployments are in place.)
        var old = incident.AttributedIn(env.Name);
        if (!ReferenceEquals(old, target))
        {
            incident.Attribute(env.Name, target);
            var days = env.Days ??= Days(env.Name);
            if (old is not null)
            {
                Publish(old, days);
            }

            if (target is not null)
            {
                Publish(target, days);
            }
        }
    }

    /// <summary>Orders deployments as attribution and first deployments do: by time, then identifier.</summary>
    private static int Order(DeploymentNode a, DeploymentNode b)
        => a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : CodePointOrder.Compare(a.Id, b.Id);

    private sealed class SystemNode(string name)
    {
        public string Name { get; } = name;

        public Dictionary<string, EnvironmentNode> Environments { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, ChangeNode> ChangesById { get; } = new(StringComparer.Ordinal);

        /// <summary>Pushed changes by (time, identifier).</summary>
        public Timeline<ChangeNode> Changes { get; } = new(c => c.Timestamp!.Value, c => c.Id);

        public Dictionary<string, IncidentNode> Incidents { get; } = new(StringComparer.Ordinal);

        public Timeline<IncidentNode> IncidentsByCreated { get; } = new(i => i.Created, i => i.Id);

        public Timeline<IncidentNode> Resolved { get; } = new(i => i.Resolved!.Value, i => i.Id);

        public Timeline<IncidentNode> Open { get; } = new(i => i.Created, i => i.Id);

        /// <summary>The incidents naming each deployment identifier.</summary>
        public Dictionary<string, List<IncidentNode>> Naming { get; } = new(StringComparer.Ordinal);

        /// <summary>The longest (resolved - created) of its incidents, bounding the window reads of resolved ones.</summary>
        public long MaxSpan { get; private set; }

        public bool HasChanges => Changes.Count > 0;

        public bool HasDeployments => Environments.Values.Any(e => e.All.Count > 0);

        public ChangeNode Change(string id) => CollectionsMarshal.GetValueRefOrAddDefault(ChangesById, id, out _) ??= new ChangeNode(Name, id);

        public EnvironmentNode Environment(string env)
            => CollectionsMarshal.GetValueRefOrAddDefault(Environments, env, out _) ??= new EnvironmentNode(env);

        public void Index(IncidentNode incident)
        {
            IncidentsByCreated.Insert(incident);
            if (incident.Resolved is { } resolved)
            {
                Resolved.Insert(incident);
                MaxSpan = Math.Max(MaxSpan, resolved - incident.Created);
            }
            else
            {
                Open.Insert(incident);
            }

            if (incident.Deployment is { } named)
            {
                (CollectionsMarshal.GetValueRefOrAddDefault(Naming, named, out _) ??= []).Add(incident);
            }
        }

        public void Unindex(IncidentNode incident)
        {
            IncidentsByCreated.Remove(incident);
            if (incident.Resolved is null)
            {
                Open.Remove(incident);
            }
            else
            {
                Resolved.Remove(incident);
            }

            if (incident.Deployment is { } named && Naming.TryGetValue(named, out var list))
            {
                list.Remove(incident);
            }
        }
    }

    private sealed class EnvironmentNode(string name)
    {
        public string Name { get; } = name;

        public Dictionary<string, DeploymentNode> ById { get; } = new(StringComparer.Ordinal);

        /// <summary>Successful deployments by (time, identifier).</summary>
        public Timeline<DeploymentNode> Successful { get; } = new(d => d.Timestamp, d => d.Id);

        /// <summary>All deployments by (time, identifier), for the list.</summary>
        public Timeline<DeploymentNode> All { get; } = new(d => d.Timestamp, d => d.Id);

        /// <summary>The organization's day summaries of this environment, once it has had a deployment.</summary>
        public DaySummaries? Days { get; set; }
    }
}
