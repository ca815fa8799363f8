namespace Stride.Core.Events;

/// <summary>One fact pushed by a pipeline or tool: a change, a deployment, an incident or a push of commits.</summary>
/// <remarks>
/// Values are already normalized (see <see cref="SystemName"/> and <see cref="EnvironmentName"/>);
/// timestamps are UTC Unix seconds.
/// </remarks>
public abstract record Event(string System, string Identifier);

/// <summary>A commit. Key: (organization, system, identifier).</summary>
/// <remarks>Pushing the same key again keeps the earliest <paramref name="Timestamp"/>.</remarks>
public sealed record Change(string System, string Identifier, long Timestamp) : Event(System, Identifier);

/// <summary>A release to an environment. Key: (organization, system, environment, identifier).</summary>
/// <remarks>Pushing the same key again replaces the whole deployment.</remarks>
public sealed record Deployment(
    string System,
    string Identifier,
    long Timestamp,
    string Environment,
    DeploymentResult Result,
    IReadOnlyList<string> Changes,
    IReadOnlyList<string> Teams,
    string? Commit,
    bool Rework) : Event(System, Identifier);

/// <summary>Degraded service needing remediation. Key: (organization, system, identifier).</summary>
/// <remarks>
/// Pushing the same key again replaces the fields it gives: a push without
/// <paramref name="TimestampResolved"/> or <paramref name="Deployment"/> keeps the stored values,
/// so an incident can be pushed open and resolved later.
/// </remarks>
public sealed record Incident(
    string System,
    string Identifier,
    long TimestampCreated,
    long? TimestampResolved,
    string? Deployment) : Event(System, Identifier);

/// <summary>
/// One push of commits to a system's repository: the branch moved from <paramref name="Before"/> to
/// <paramref name="After"/>, bringing <paramref name="Commits"/> (oldest first). Key: (organization,
/// system, after); <see cref="Event.Identifier"/> is <paramref name="After"/>.
/// </summary>
/// <remarks>
/// Not a fact the metrics count: the pushes form the commit chain a deployment that lists no changes
/// takes its changes from (every commit pushed on the chain since the previously deployed commit).
/// <paramref name="Before"/> is null when unknown or when the push created the branch. Pushing the
/// same key again replaces the stored push.
/// </remarks>
public sealed record Push(string System, string After, string? Before, IReadOnlyList<string> Commits) : Event(System, After);

/// <summary>The outcome of a deployment; only <see cref="Success"/> counts in the metrics.</summary>
public enum DeploymentResult
{
    Success = 0,
    Failure = 1,
    Aborted = 2,
}
