using System.Collections.Concurrent;
using System.Data;
using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using Stride.Core.Events;
using Stride.Storage.Memory;
using Stride.Storage.Sqlite;

namespace Stride.Storage.Postgres;

/// <summary>
/// This node's in-memory index (<see cref="OrganizationIndex"/>) of each organization it has read,
/// brought up to date from <c>event_feed</c> before every read.
/// </summary>
/// <remarks>
/// <para>A node holds nothing the database does not: an index is built from the event tables and the
/// feed rows that hold changes (their only store), with the snapshot it was read in, and every read
/// first applies the feed rows of the transactions that snapshot did not see, in transaction id order,
/// and keeps the snapshot of that check. So a write acknowledged by any node is in the next read on
/// every node, and a read costs one round trip plus the work of its window.</para>
/// <para>Applying a row again is harmless: every event is an upsert and, for each key, the latest write
/// is applied last. So a check cut short (cancelled, or the connection lost) leaves the index ahead of
/// its snapshot, and the next check applies those rows again.</para>
/// <para>Feed rows without changes are deleted after <see cref="FeedKept"/>; an index not checked for
/// <see cref="MaxAge"/> (half of it) is dropped and built again when next read. That assumes no write
/// transaction stays open for half an hour, which the writer's never do (they are one request's
/// events).</para>
/// </remarks>
internal sealed class PostgresIndexes(NpgsqlDataSource dataSource, TimeProvider time)
{
    public static readonly TimeSpan FeedKept = TimeSpan.FromHours(1);
    public static readonly TimeSpan MaxAge = FeedKept / 2;

    // The snapshot of the check, then the rows of the transactions the last check's snapshot did not
    // see (all committed by now, or they would not be visible). One statement: one snapshot.
    private const string CatchUpSql = """
        SELECT pg_current_snapshot()::text, f.events
        FROM (SELECT) AS one
        LEFT JOIN LATERAL (
            SELECT e.xid, e.events FROM event_feed e
            WHERE e.org = @org AND e.xid >= pg_snapshot_xmin(@seen::pg_snapshot) AND NOT pg_visible_in_snapshot(e.xid, @seen::pg_snapshot)) AS f ON true
        ORDER BY f.xid
        """;

    private const string SnapshotSql = "SELECT pg_current_snapshot()::text";
    private const string ChangesSql = "SELECT system, id, ts FROM changes WHERE org = @org";   // saved before version 9
    private const string FeedChangesSql = "SELECT events FROM event_feed WHERE org = @org AND holds_changes";
    private const string DeploymentsSql = "SELECT system, env, id, ts, result, rework, commit_sha, teams::text, changes::text FROM deployments WHERE org = @org";
    private const string IncidentsSql = "SELECT system, id, created, resolved, deployment FROM incidents WHERE org = @org";

    private readonly ConcurrentDictionary<long, Kept> _kept = new();
    private long _checks;

    /// <summary>How many checks and builds this node has begun, of every organization (for tests).</summary>
    internal long Checks => Interlocked.Read(ref _checks);

    /// <summary>The organization's index, with every write committed before this call's request began (<see cref="ReadScope"/>), or before this call outside a request.</summary>
    public async Task<OrganizationIndex> ReadAsync(long organization, CancellationToken ct)
    {
        var kept = _kept.GetOrAdd(organization, _ => new Kept());

        // A check begun after this read's request began saw every write acknowledged before it: the
        // reads of one request, and reads side by side, share one check.
        var begun = ReadScope.Began ?? Stopwatch.GetTimestamp();
        await kept.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (kept.Index is { } checkedIndex && kept.CheckBegan > begun)
            {
                return checkedIndex;
            }

            var began = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _checks);
            var now = time.GetUtcNow();
            if (kept.Index is { } index && now - kept.CheckedAt <= MaxAge)
            {
                try
                {
                    kept.Seen = await CatchUpAsync(organization, index, kept.Seen, ct).ConfigureAwait(false);
                }
                catch (InvalidDataException)
                {
                    // A row this build cannot read (written by a newer one). Built again, the index takes
                    // deployments and incidents from the tables; should the row hold changes, the build
                    // fails on it too, and the read with it, rather than answer without them.
                    kept.Index = null;
                }
                catch (Exception exception) when (exception is not (NpgsqlException or OperationCanceledException))
                {
                    // The index failed to take a row: it is built again, never read half-applied.
                    kept.Index = null;
                    throw;
                }
            }
            else
            {
                kept.Index = null;
            }

            if (kept.Index is null)
            {
                (kept.Index, kept.Seen) = await LoadAsync(organization, ct).ConfigureAwait(false);
            }

            kept.CheckedAt = now;
            kept.CheckBegan = began;
            return kept.Index;
        }
        finally
        {
            kept.Gate.Release();
        }
    }

    /// <summary>Drops the indexes not read for <see cref="MaxAge"/>: they would be built again anyway, and hold memory.</summary>
    public void DropStale()
    {
        var now = time.GetUtcNow();
        foreach (var (organization, kept) in _kept)
        {
            if (now - kept.CheckedAt > MaxAge && kept.Gate.Wait(0))
            {
                try
                {
                    if (now - kept.CheckedAt > MaxAge)
                    {
                        kept.Index = null;
                    }
                }
                finally
                {
                    kept.Gate.Release();
                }
            }
        }
    }

    private async Task<string> CatchUpAsync(long organization, OrganizationIndex index, string seen, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(CatchUpSql, connection);
        command.Parameters.AddWithValue("org", organization);
        command.Parameters.AddWithValue("seen", seen);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct).ConfigureAwait(false);
        var snapshot = seen;
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            snapshot = reader.GetString(0);
            if (!await reader.IsDBNullAsync(1, ct).ConfigureAwait(false))
            {
                index.Apply(PostgresFeed.Decode(await reader.GetFieldValueAsync<byte[]>(1, ct).ConfigureAwait(false)));
            }
        }

        return snapshot;
    }

    /// <summary>Builds the organization's index from the tables and the feed's changes, in one snapshot, and returns it with that snapshot.</summary>
    private async Task<(OrganizationIndex Index, string Seen)> LoadAsync(long organization, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands = { Command(SnapshotSql), Command(ChangesSql), Command(FeedChangesSql), Command(DeploymentsSql), Command(IncidentsSql) },
        };
        var index = new OrganizationIndex();
        string seen;
        await using (var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            await reader.ReadAsync(ct).ConfigureAwait(false);
            seen = reader.GetString(0);
            await reader.NextResultAsync(ct).ConfigureAwait(false);

            // Millions of rows on a large organization: read as they come (the reader buffers ahead), not
            // gathered into a list first.
            index.Load(Saved(reader, ct));
        }

        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return (index, seen);

        NpgsqlBatchCommand Command(string sql) => new(sql) { Parameters = { new("org", organization) } };
    }

    /// <summary>The saved events, as the index loads them: changes (of the table, then of the feed), then deployments, then incidents.</summary>
    private static IEnumerable<Event> Saved(NpgsqlDataReader reader, CancellationToken ct)
    {
        while (reader.Read())
        {
            yield return new Change(reader.GetString(0), reader.GetString(1), reader.GetInt64(2));
        }

        // A feed row holds the deployments and incidents of its transaction too: they are read from the
        // tables, which hold their latest versions.
        reader.NextResult();
        while (reader.Read())
        {
            ct.ThrowIfCancellationRequested();
            foreach (var e in PostgresFeed.Decode(reader.GetFieldValue<byte[]>(0)))
            {
                if (e is Change)
                {
                    yield return e;
                }
            }
        }

        reader.NextResult();
        ct.ThrowIfCancellationRequested();
        while (reader.Read())
        {
            yield return new Deployment(
                reader.GetString(0), reader.GetString(2), reader.GetInt64(3), reader.GetString(1),
                (DeploymentResult)reader.GetInt16(4),
                JsonSerializer.Deserialize(reader.GetString(8), StorageJson.Relaxed.ListString) ?? [],
                JsonSerializer.Deserialize(reader.GetString(7), StorageJson.Relaxed.ListString) ?? [],
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetBoolean(5));
        }

        reader.NextResult();
        ct.ThrowIfCancellationRequested();
        while (reader.Read())
        {
            yield return new Incident(
                reader.GetString(0), reader.GetString(1), reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetString(4));
        }
    }

    /// <summary>One organization's index on this node, and the snapshot it holds every write of.</summary>
    private sealed class Kept
    {
        /// <summary>One check or build at a time.</summary>
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public OrganizationIndex? Index { get; set; }

        public string Seen { get; set; } = "";

        public DateTimeOffset CheckedAt { get; set; }

        /// <summary>When the last check that brought <see cref="Index"/> up to date began (a <see cref="Stopwatch.GetTimestamp"/>).</summary>
        public long CheckBegan { get; set; }
    }
}
