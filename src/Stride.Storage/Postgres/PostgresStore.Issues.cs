using Dapper;
using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Storage.Postgres;

/// <summary>DevLake webhook issues (<see cref="IIssueStore"/>).</summary>
/// <remarks>
/// An issue and the incident it makes are written in one transaction: either both are stored or
/// neither is. Every write is a single statement per row, never a read followed by a write, so that
/// nodes writing the same issue at once cannot undo each other's work.
/// </remarks>
public sealed partial class PostgresStore
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
        return InTransactionAsync(
            async (connection, transaction) =>
            {
                // One statement per row (Dapper reuses the command), in list order, so that a key pushed
                // twice in one request ends as its last push, as on SQLite; a single multi-row upsert
                // would refuse to touch one row twice.
                var stored = rows.Count == 0
                    ? 0
                    : await connection.ExecuteAsync(new CommandDefinition(Sql, rows, transaction, cancellationToken: ct)).ConfigureAwait(false);
                if (events.Count > 0)
                {
                    await PostgresEventWriter.AppendAsync(connection, transaction, organization, events, ct).ConfigureAwait(false);
                }

                return stored;
            },
            ct);
    }

    /// <inheritdoc />
    public Task<int> ResolveIssueAsync(long organization, string issueKey, long resolvedAt, IReadOnlyList<Event> events, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(issueKey);
        ArgumentNullException.ThrowIfNull(events);
        // DevLake's close sets the status to DONE (a requirement closed this way counts as delivered) and
        // the resolution time only when the issue had none. The update touches every issue of the key,
        // resolved before or not, so its row count is the number of issues with the key; and the
        // coalesce is evaluated on the latest committed row, so a resolution pushed meanwhile is kept.
        const string Resolve = """
            UPDATE issues SET status = 'DONE', resolved = coalesce(resolved, @ResolvedAt)
            WHERE org = @Org AND issue_key = @IssueKey
            """;
        var parameters = new { Org = organization, IssueKey = issueKey, ResolvedAt = resolvedAt };
        return InTransactionAsync(
            async (connection, transaction) =>
            {
                var found = await connection.ExecuteAsync(new CommandDefinition(Resolve, parameters, transaction, cancellationToken: ct)).ConfigureAwait(false);
                if (events.Count > 0)
                {
                    await PostgresEventWriter.AppendAsync(connection, transaction, organization, events, ct).ConfigureAwait(false);
                }

                return found;
            },
            ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<IssueFact>> ReadIssueFactsAsync(
        long organization, long from, long to, IReadOnlyList<string> systems, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(systems);
        ArgumentOutOfRangeException.ThrowIfLessThan(to, from);

        // Two index range scans: created in the window, then resolved in it but created outside it (so
        // that each issue comes once). The system is an included column of both indexes, so the
        // filter reads no table row.
        const string Sql = """
            SELECT type AS Type, status AS Status, story_point AS StoryPoint, created AS Created, resolved AS Resolved
            FROM issues
            WHERE org = @Org AND created >= @From AND created < @To
              AND (@AllSystems OR system = ANY(@Systems))
            UNION ALL
            SELECT type, status, story_point, created, resolved
            FROM issues
            WHERE org = @Org AND resolved >= @From AND resolved < @To AND (created < @From OR created >= @To)
              AND (@AllSystems OR system = ANY(@Systems))
            """;
        var filter = systems.Select(SystemName.Normalize).Distinct(StringComparer.Ordinal).ToArray();
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<IssueDbRow>(new CommandDefinition(
            Sql, new { Org = organization, From = from, To = to, AllSystems = filter.Length == 0, Systems = filter }, cancellationToken: ct))
            .ConfigureAwait(false);
        return [.. rows.Select(r => new IssueFact(r.Type, r.Status, r.StoryPoint, r.Created, r.Resolved))];
    }

    private sealed class IssueDbRow
    {
        public required string Type { get; init; }

        public required string Status { get; init; }

        public double? StoryPoint { get; init; }

        public long Created { get; init; }

        public long? Resolved { get; init; }
    }
}
