using System.Text.Json;
using Dapper;
using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Storage.Sqlite;

/// <summary>DevLake webhook issues (<see cref="IIssueStore"/>).</summary>
/// <remarks>
/// Writes go through the single writer, so an issue and the incident it makes are committed in the same
/// savepoint: either both are stored or neither is.
/// </remarks>
public sealed partial class SqliteStore
{
    /// <inheritdoc />
    public Task<int> UpsertIssuesAsync(long organization, IReadOnlyList<IssueRecord> issues, IReadOnlyList<Event> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(issues);
        ArgumentNullException.ThrowIfNull(events);
        const string Sql = """
            INSERT INTO issues (org, system, issue_key, type, status, story_point, created, resolved)
            VALUES (@Org, @System, @IssueKey, @Type, @Status, @StoryPoint, @Created, @Resolved)
            ON CONFLICT (org, system, issue_key) DO UPDATE SET
                type = excluded.type, status = excluded.status, story_point = excluded.story_point,
                created = excluded.created, resolved = excluded.resolved
            """;
        var rows = issues.Select(i => new
        {
            Org = organization,
            System = SystemName.Normalize(i.System),
            i.IssueKey,
            i.Type,
            i.Status,
            i.StoryPoint,
            i.Created,
            i.Resolved,
        }).ToList();
        return _writer.WriteAsync(
            (session, token) =>
            {
                // Dapper runs the statement once per row, reusing the command.
                var stored = rows.Count == 0 ? 0 : session.Connection.Execute(Sql, rows);
                if (events.Count > 0)
                {
                    session.Events.Append(organization, events, token);
                }

                return stored;
            },
            Math.Max(1, issues.Count + events.Count),
            ct);
    }

    /// <inheritdoc />
    public Task<int> ResolveIssueAsync(long organization, string issueKey, long resolvedAt, IReadOnlyList<Event> events, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(issueKey);
        ArgumentNullException.ThrowIfNull(events);
        const string Count = "SELECT count(*) FROM issues WHERE org = @Org AND issue_key = @IssueKey";
        // DevLake's close sets the status to DONE (a requirement closed this way counts as delivered) and
        // the resolution time only when the issue had none.
        const string Resolve = """
            UPDATE issues SET status = 'DONE', resolved = coalesce(resolved, @ResolvedAt)
            WHERE org = @Org AND issue_key = @IssueKey
            """;
        var parameters = new { Org = organization, IssueKey = issueKey, ResolvedAt = resolvedAt };
        return _writer.WriteAsync(
            (session, token) =>
            {
                // Checked and written inside the writer's transaction, so a resolution pushed meanwhile is never overwritten.
                var found = session.Connection.ExecuteScalar<int>(Count, parameters);
                session.Connection.Execute(Resolve, parameters);
                if (events.Count > 0)
                {
                    session.Events.Append(organization, events, token);
                }

                return found;
            },
            Math.Max(1, events.Count),
            ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<IssueFact>> ReadIssueFactsAsync(
        long organization, long from, long to, IReadOnlyList<string> systems, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(systems);
        ArgumentOutOfRangeException.ThrowIfLessThan(to, from);

        // Two index range scans: created in the window, then resolved in it but created outside it (so
        // that each issue comes once).
        const string Sql = """
            SELECT type AS Type, status AS Status, story_point AS StoryPoint, created AS Created, resolved AS Resolved
            FROM issues
            WHERE org = @Org AND created >= @From AND created < @To
              AND (@Systems IS NULL OR system IN (SELECT value FROM json_each(@Systems)))
            UNION ALL
            SELECT type, status, story_point, created, resolved
            FROM issues
            WHERE org = @Org AND resolved >= @From AND resolved < @To AND (created < @From OR created >= @To)
              AND (@Systems IS NULL OR system IN (SELECT value FROM json_each(@Systems)))
            """;
        var filter = systems.Count == 0
            ? null
            : JsonSerializer.Serialize(systems.Select(SystemName.Normalize).Distinct(StringComparer.Ordinal).ToList(), StorageJson.Relaxed.ListString);
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<IssueRow>(new CommandDefinition(
            Sql, new { Org = organization, From = from, To = to, Systems = filter }, cancellationToken: ct)).ConfigureAwait(false);
        return [.. rows.Select(r => new IssueFact(r.Type, r.Status, r.StoryPoint, r.Created, r.Resolved))];
    }

    private sealed class IssueRow
    {
        public required string Type { get; init; }

        public required string Status { get; init; }

        public double? StoryPoint { get; init; }

        public long Created { get; init; }

        public long? Resolved { get; init; }
    }
}
