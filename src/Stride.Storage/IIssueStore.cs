using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Storage;

/// <summary>DevLake webhook issues of every type (SPEC §3 "Issue metrics", §4.3), for the issue metrics.</summary>
/// <remarks>
/// Every call is scoped to one organization. An issue's key is (organization, system, issue key). Issues are
/// not events: incidents among them are also stored as Stride incidents, which the calls take alongside so
/// that a request is stored whole or not at all.
/// </remarks>
public interface IIssueStore
{
    /// <summary>Stores issues, each replacing a stored issue of the same key, and the events they make, in one transaction.</summary>
    /// <param name="organization">The tenant.</param>
    /// <param name="issues">Validated issues: systems normalized, type and status upper-cased.</param>
    /// <param name="events">Validated events to store with them (the incidents of <c>INCIDENT</c> issues), as for <see cref="IEventStore.AppendAsync"/>.</param>
    /// <param name="ct">Cancels the write before it is committed.</param>
    /// <returns>The number of issues stored.</returns>
    Task<int> UpsertIssuesAsync(long organization, IReadOnlyList<IssueRecord> issues, IReadOnlyList<Event> events, CancellationToken ct);

    /// <summary>
    /// Closes the organization's issues with this key (in any system), as DevLake's close does: status <c>DONE</c>,
    /// resolved at <paramref name="resolvedAt"/> unless already resolved; and stores the events, in one transaction.
    /// </summary>
    /// <param name="organization">The tenant.</param>
    /// <param name="issueKey">The issue's key, as pushed.</param>
    /// <param name="resolvedAt">The resolution time (Unix seconds); an issue already resolved keeps its own.</param>
    /// <param name="events">Validated events to store with it (the incidents the close resolves), as for <see cref="IEventStore.AppendAsync"/>.</param>
    /// <param name="ct">Cancels the write before it is committed.</param>
    /// <returns>The number of issues with this key, resolved now or before: 0 when the organization has none.</returns>
    Task<int> ResolveIssueAsync(long organization, string issueKey, long resolvedAt, IReadOnlyList<Event> events, CancellationToken ct);

    /// <summary>The issues of the window <c>[from, to)</c>: those created in it, and those resolved in it.</summary>
    /// <param name="organization">The tenant.</param>
    /// <param name="from">The window's start (Unix seconds, inclusive).</param>
    /// <param name="to">The window's end (Unix seconds, exclusive).</param>
    /// <param name="systems">The systems to read (normalized here); empty for all.</param>
    /// <param name="ct">Cancels the read.</param>
    /// <remarks>Each issue appears once, in no particular order; <see cref="IssueMetrics.Compute"/> filters by time itself.</remarks>
    Task<IReadOnlyList<IssueFact>> ReadIssueFactsAsync(long organization, long from, long to, IReadOnlyList<string> systems, CancellationToken ct);
}

/// <summary>One DevLake issue as stored.</summary>
/// <param name="System">The normalized system (<c>component</c>, else <c>_unknown_</c>).</param>
/// <param name="IssueKey">DevLake's <c>issueKey</c>.</param>
/// <param name="Type">Upper-cased type (<c>REQUIREMENT</c>, <c>BUG</c>, <c>INCIDENT</c> or other); empty when none was given.</param>
/// <param name="Status">Upper-cased status: <c>TODO</c>, <c>IN_PROGRESS</c> or <c>DONE</c>.</param>
/// <param name="StoryPoint">Story points; null when none were given.</param>
/// <param name="Created">Creation time (Unix seconds).</param>
/// <param name="Resolved">Resolution time (Unix seconds); null while unresolved.</param>
public sealed record IssueRecord(string System, string IssueKey, string Type, string Status, double? StoryPoint, long Created, long? Resolved);
