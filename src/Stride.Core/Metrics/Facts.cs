namespace Stride.Core.Metrics;

/// <summary>A successful deployment in the chosen environment.</summary>
/// <param name="Timestamp">When it finished (Unix seconds).</param>
/// <param name="Rework">Whether it was an unplanned fix of a production problem.</param>
/// <param name="Failed">Whether at least one incident is attributed to it (whenever that incident happened).</param>
public readonly record struct DeploymentFact(long Timestamp, bool Rework, bool Failed);

/// <summary>A change whose first successful deployment in the chosen environment is known.</summary>
/// <param name="DeployedAt">Timestamp of the change's first deployment.</param>
/// <param name="ChangedAt">The change's own timestamp; null when it was listed but never pushed.</param>
public readonly record struct LeadTimeFact(long DeployedAt, long? ChangedAt);

/// <summary>An incident of the chosen systems.</summary>
/// <param name="Created">When it started.</param>
/// <param name="Resolved">When it was resolved; null while open.</param>
/// <param name="DeployedAt">Timestamp of its attributed deployment in the chosen environment, if any.</param>
public readonly record struct IncidentFact(long Created, long? Resolved, long? DeployedAt);

/// <summary>
/// Everything the metrics of a range <c>[From, To)</c> need, for one organization, environment and
/// set of systems: what the store reads, and all the engine looks at.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="Deployments"/>: successful deployments with <c>From ≤ Timestamp &lt; To</c>.</item>
/// <item><see cref="LeadTimes"/>: changes whose first deployment has <c>From ≤ DeployedAt &lt; To</c>.</item>
/// <item><see cref="Incidents"/>: incidents resolved in <c>[From, To)</c>, plus those created before
/// <c>To</c> and unresolved at <c>To</c> (resolved later or never), so that the open count at any
/// instant of the range can be computed.</item>
/// </list>
/// The lists may come in any order and may hold more than this; the engine filters by time itself.
/// </remarks>
public sealed record WindowFacts(
    long From,
    long To,
    IReadOnlyList<DeploymentFact> Deployments,
    IReadOnlyList<LeadTimeFact> LeadTimes,
    IReadOnlyList<IncidentFact> Incidents);
