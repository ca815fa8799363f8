using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Storage;

/// <summary>Where events are kept, and what the metrics read back.</summary>
/// <remarks>
/// Implementations are thread-safe singletons. Every call is scoped to one organization: nothing
/// of another organization is read or written.
/// </remarks>
public interface IEventStore
{
    /// <summary>Stores a request's events, applying SPEC §2's rules in list order.</summary>
    /// <remarks>
    /// All or nothing: when the task completes the events are committed (and visible to every
    /// later read); when it faults none of them is stored. Events must be validated and normalized
    /// before (see <see cref="SystemName"/>, <see cref="EnvironmentName"/>). Derived facts (each
    /// change's first deployment and each incident's attributed deployment, per environment) are
    /// updated in the same transaction.
    /// </remarks>
    /// <returns>The number of events stored.</returns>
    Task<int> AppendAsync(long organization, IReadOnlyList<Event> events, CancellationToken ct);

    /// <summary>Reads what the metrics engine needs for <c>[from, to)</c>.</summary>
    /// <param name="organization">The tenant.</param>
    /// <param name="from">Start of the range, Unix seconds, inclusive.</param>
    /// <param name="to">End of the range, Unix seconds, exclusive.</param>
    /// <param name="environment">A normalized environment name.</param>
    /// <param name="systems">Normalized system names; empty means all systems.</param>
    /// <param name="ct">Cancels the read.</param>
    /// <remarks>Work is proportional to the range, never to the whole history.</remarks>
    Task<WindowFacts> ReadFactsAsync(
        long organization, long from, long to, string environment, IReadOnlyList<string> systems, CancellationToken ct);

    /// <summary>
    /// As <see cref="ReadFactsAsync"/>, except that whole UTC days may come summarized
    /// (<see cref="WindowFacts.Days"/>): for computing windows that cut no UTC day inside the range,
    /// such as the range itself, or the buckets of a series in UTC.
    /// </summary>
    /// <remarks>The store decides which days, if any.</remarks>
    Task<WindowFacts> ReadFactsByDayAsync(
        long organization, long from, long to, string environment, IReadOnlyList<string> systems, CancellationToken ct);

    /// <summary>The latest successful deployment of a system in an environment, or null when there is none.</summary>
    Task<LatestDeployment?> FindLatestDeploymentAsync(
        long organization, string system, string environment, CancellationToken ct);

    /// <summary>
    /// Every system with any event (a deployment of any result or environment, a change or an incident), by
    /// name, each with its number of successful deployments in the environment and the time of the latest.
    /// </summary>
    Task<IReadOnlyList<SystemSummary>> ListSystemsAsync(long organization, string environment, CancellationToken ct);

    /// <summary>The names of the systems with any event, in order: what a system filter offers (cheaper than <see cref="ListSystemsAsync"/>).</summary>
    Task<IReadOnlyList<string>> ListSystemNamesAsync(long organization, CancellationToken ct);

    /// <summary>Deployments in the environment with a timestamp in the window (any result), newest first.</summary>
    Task<ListPage<DeploymentRow>> ListDeploymentsAsync(long organization, ListQuery query, CancellationToken ct);

    /// <summary>Incidents created in the window, newest first, with their attribution in the query's environment.</summary>
    Task<ListPage<IncidentRow>> ListIncidentsAsync(long organization, ListQuery query, CancellationToken ct);

    /// <summary>Changes with a timestamp in the window, newest first, with their first deployment in the query's environment.</summary>
    Task<ListPage<ChangeRow>> ListChangesAsync(long organization, ListQuery query, CancellationToken ct);

    /// <summary>One deployment with its changes and attributed incidents, or null.</summary>
    Task<DeploymentDetail?> FindDeploymentAsync(long organization, string system, string environment, string identifier, CancellationToken ct);

    /// <summary>The organization's incidents with this identifier, in any system (ordered by system); empty when none.</summary>
    /// <remarks>For tools that name an incident by its key alone, such as DevLake's issue close (SPEC §4.3).</remarks>
    Task<IReadOnlyList<Incident>> FindIncidentsAsync(long organization, string identifier, CancellationToken ct);

    /// <summary>Whether the database answers.</summary>
    Task<bool> IsReadyAsync(CancellationToken ct);
}

/// <summary>The most recent deployment of a system, as the CLI needs it to find the previous commit.</summary>
public sealed record LatestDeployment(string System, string Environment, string Identifier, long Timestamp, string? Commit);
