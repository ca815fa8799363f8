using Stride.Core.Events;

namespace Stride.Core.Metrics;

/// <summary>
/// The events of one organization held in memory, with SPEC §2's rules for repeated pushes and
/// SPEC §3's rules for deriving <see cref="WindowFacts"/>: the readable reference the stores are
/// checked against.
/// </summary>
/// <remarks>
/// Written for clarity rather than speed: <see cref="Facts"/> looks at every stored event. Events
/// must already be normalized (<see cref="SystemName"/>, <see cref="EnvironmentName"/>). Not thread-safe.
/// </remarks>
public sealed class Ledger
{
    // Tuple keys compare their strings ordinally, which is what SPEC §2's keys need: systems and
    // identifiers are case-sensitive, and environments are stored lower-cased.
    private readonly Dictionary<(string System, string Identifier), long> _changes = [];
    private readonly Dictionary<(string System, string Environment, string Identifier), Deployment> _deployments = [];
    private readonly Dictionary<(string System, string Identifier), Incident> _incidents = [];

    /// <summary>Stores one pushed event as SPEC §2 says a push of its kind does.</summary>
    /// <remarks>
    /// A change keeps the earliest timestamp pushed for its key; a deployment replaces the stored one
    /// wholly; an incident replaces its creation time, and its resolution time and deployment only
    /// when the push gives them, so an incident pushed open and resolved later stays resolved.
    /// </remarks>
    public void Apply(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        switch (e)
        {
            case Change change:
                var changeKey = (change.System, change.Identifier);
                _changes[changeKey] = _changes.TryGetValue(changeKey, out var stored)
                    ? Math.Min(stored, change.Timestamp)
                    : change.Timestamp;
                break;

            case Deployment deployment:
                _deployments[(deployment.System, deployment.Environment, deployment.Identifier)] = deployment;
                break;

            case Incident incident:
                var incidentKey = (incident.System, incident.Identifier);
                _incidents[incidentKey] = _incidents.TryGetValue(incidentKey, out var previous)
                    ? incident with
                    {
                        TimestampResolved = incident.TimestampResolved ?? previous.TimestampResolved,
                        Deployment = incident.Deployment ?? previous.Deployment,
                    }
                    : incident;
                break;

            default:
                throw new ArgumentException($"Unknown event type {e.GetType().Name}.", nameof(e));
        }
    }

    /// <summary>The facts the metrics of <c>[from, to)</c> need, as <see cref="WindowFacts"/> documents them.</summary>
    /// <param name="from">Start of the range, Unix seconds, inclusive.</param>
    /// <param name="to">End of the range, Unix seconds, exclusive.</param>
    /// <param name="environment">The environment whose successful deployments count (normalized here).</param>
    /// <param name="systems">The systems to include (normalized here); empty means all.</param>
    public WindowFacts Facts(long from, long to, string environment, IReadOnlyCollection<string> systems)
    {
        ArgumentNullException.ThrowIfNull(systems);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(to, from);

        var env = EnvironmentName.Normalize(environment);
        var selected = systems.Select(SystemName.Normalize).ToHashSet(StringComparer.Ordinal);
        bool InScope(string system) => selected.Count == 0 || selected.Contains(system);

        // "Deployments" in SPEC §3: successful ones in the environment. Per system, oldest first and
        // ties by identifier, so the last one at or before an instant is the one attribution wants.
        var deploymentsBySystem = _deployments.Values
            .Where(d => d.Environment == env && d.Result == DeploymentResult.Success && InScope(d.System))
            .GroupBy(d => d.System, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => g.OrderBy(d => d.Timestamp).ThenBy(d => d.Identifier, StringComparer.Ordinal).ToArray(),
                StringComparer.Ordinal);

        var incidents = _incidents.Values
            .Where(i => InScope(i.System))
            .Select(i => (Incident: i, Deployment: Attribute(i, env, deploymentsBySystem)))
            .ToList();

        // A deployment failed when any incident, whenever it happened, is attributed to it.
        var failed = incidents
            .Where(i => i.Deployment is not null)
            .Select(i => i.Deployment!)
            .ToHashSet(ReferenceEqualityComparer.Instance);

        var deployments = deploymentsBySystem.Values
            .SelectMany(list => list)
            .Where(d => d.Timestamp >= from && d.Timestamp < to)
            .Select(d => new DeploymentFact(d.Timestamp, d.Rework, failed.Contains(d)))
            .ToList();

        // A change's lead time ends at its first deployment, which may lie before `from` even when
        // a redeploy lies inside; so look at every deployment, then keep those in range.
        var firstDeployment = new Dictionary<(string System, string Identifier), long>();
        foreach (var deployment in deploymentsBySystem.Values.SelectMany(list => list))
        {
            foreach (var change in deployment.Changes)
            {
                var key = (deployment.System, change);
                if (!firstDeployment.TryGetValue(key, out var at) || deployment.Timestamp < at)
                {
                    firstDeployment[key] = deployment.Timestamp;
                }
            }
        }

        var leadTimes = firstDeployment
            .Where(f => f.Value >= from && f.Value < to)
            .Select(f => new LeadTimeFact(f.Value, _changes.TryGetValue(f.Key, out var changedAt) ? changedAt : null))
            .ToList();

        var incidentFacts = incidents
            .Where(i => IsResolvedIn(i.Incident, from, to) || IsOpenAt(i.Incident, to))
            .Select(i => new IncidentFact(i.Incident.TimestampCreated, i.Incident.TimestampResolved, i.Deployment?.Timestamp))
            .ToList();

        return new WindowFacts(from, to, deployments, leadTimes, incidentFacts);
    }

    /// <summary>
    /// The deployment named by the incident when the environment has a successful one of that name in
    /// the same system; else the latest of the system at or before the incident's creation; else none.
    /// </summary>
    private Deployment? Attribute(Incident incident, string environment, Dictionary<string, Deployment[]> deploymentsBySystem)
    {
        if (!deploymentsBySystem.TryGetValue(incident.System, out var candidates))
        {
            return null;
        }

        if (incident.Deployment is { } named
            && _deployments.TryGetValue((incident.System, environment, named), out var byName)
            && byName.Result == DeploymentResult.Success)
        {
            return byName;
        }

        // Candidates are sorted by (timestamp, identifier): the last one not after the creation time
        // is the latest, and among equal timestamps the greatest identifier.
        Deployment? latest = null;
        foreach (var candidate in candidates)
        {
            if (candidate.Timestamp > incident.TimestampCreated)
            {
                break;
            }

            latest = candidate;
        }

        return latest;
    }

    private static bool IsResolvedIn(Incident incident, long from, long to)
        => incident.TimestampResolved is { } resolved && resolved >= from && resolved < to;

    private static bool IsOpenAt(Incident incident, long instant)
        => incident.TimestampCreated < instant && (incident.TimestampResolved is not { } resolved || resolved >= instant);
}
