using Stride.Core.Events;

namespace Stride.Storage;

/// <summary>What a list shows: events of a window, newest first, a page at a time.</summary>
/// <param name="From">Start, Unix seconds, inclusive.</param>
/// <param name="To">End, Unix seconds, exclusive.</param>
/// <param name="Environment">A normalized environment (deployments and, through attribution, incidents).</param>
/// <param name="Systems">Normalized system names; empty means all.</param>
/// <param name="Limit">The most rows of one page.</param>
/// <param name="After">Where the previous page ended (from <see cref="ListPage{T}.Next"/>), or null for the first page.</param>
public sealed record ListQuery(long From, long To, string Environment, IReadOnlyList<string> Systems, int Limit, ListPosition? After);

/// <summary>A position in a newest-first list: the last row's time and key.</summary>
public sealed record ListPosition(long Timestamp, string System, string Identifier);

/// <summary>One page of a list, and where the next one starts (null on the last page).</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Items, ListPosition? Next);

/// <summary>A system that has deployed (in an environment) or sent any event.</summary>
public sealed record SystemSummary(string Name, int Deployments, long? LastDeploymentAt);

/// <summary>A deployment as lists show it.</summary>
/// <param name="MedianLeadTimeSeconds">The median lead time of the changes for which this is the first deployment; null when none has a time.</param>
/// <param name="Incidents">The identifiers of the incidents attributed to it.</param>
public sealed record DeploymentRow(
    string System,
    string Environment,
    string Identifier,
    long Timestamp,
    DeploymentResult Result,
    bool Rework,
    string? Commit,
    IReadOnlyList<string> Teams,
    int Changes,
    double? MedianLeadTimeSeconds,
    IReadOnlyList<string> Incidents);

/// <summary>A deployment with its changes and incidents, for its own page.</summary>
public sealed record DeploymentDetail(DeploymentRow Deployment, IReadOnlyList<DeploymentChange> Changes, IReadOnlyList<IncidentRow> Incidents);

/// <summary>A change a deployment lists.</summary>
/// <param name="Timestamp">The change's own time; null when it was never pushed as a change.</param>
/// <param name="LeadTimeSeconds">Deployment time minus change time, when this deployment is the change's first (else null).</param>
public sealed record DeploymentChange(string Identifier, long? Timestamp, long? LeadTimeSeconds, bool FirstDeployment);

/// <summary>An incident as lists show it.</summary>
/// <param name="AttributedDeployment">The identifier of the deployment it is attributed to in the query's environment, or null.</param>
public sealed record IncidentRow(string System, string Identifier, long Created, long? Resolved, string? Deployment, string? AttributedDeployment);

/// <summary>A change as lists show it.</summary>
/// <param name="FirstDeployment">The identifier of its first successful deployment in the query's environment, or null.</param>
public sealed record ChangeRow(string System, string Identifier, long Timestamp, string? FirstDeployment, long? DeployedAt, long? LeadTimeSeconds);
