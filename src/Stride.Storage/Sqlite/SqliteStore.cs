using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Storage.Sqlite;

/// <summary>The embedded store: one SQLite file holding events, derived facts, organizations and keys.</summary>
/// <remarks>
/// <para>Open with <see cref="OpenAsync(string, TimeProvider, CancellationToken)"/> (or <see cref="StoreFactory.OpenAsync"/>); keep one instance per
/// database for the life of the process and dispose it at shutdown. Thread-safe.</para>
/// <para>Writes go through a single writer connection with group commit (see <see cref="AppendAsync"/>);
/// reads use their own pooled connections, which WAL mode lets run alongside the writer, each read
/// seeing one committed snapshot.</para>
/// </remarks>
public sealed partial class SqliteStore : IStrideStore
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly SqliteWriter _writer;

    private SqliteStore(string connectionString, TimeProvider time, SqliteWriter writer)
    {
        _connectionString = connectionString;
        _time = time;
        _writer = writer;
    }

    /// <summary>Opens the database file (creating it when missing) and brings its schema up to date.</summary>
    /// <param name="connectionString">
    /// A Microsoft.Data.Sqlite connection string naming a file, e.g. <c>Data Source=stride.db</c>, plus
    /// Stride's optional <c>Synchronous=Off|Normal|Full|Extra</c> (default <c>Normal</c>: a commit survives a
    /// crash of the process; <c>Full</c> also survives power loss, at the cost of an fsync per commit).
    /// </param>
    /// <param name="time">The clock for times the store records itself.</param>
    /// <param name="ct">Cancels opening and migrating.</param>
    /// <exception cref="ArgumentException">The connection string is malformed or names no file.</exception>
    /// <exception cref="InvalidOperationException">The database's schema is newer than this build knows.</exception>
    public static Task<SqliteStore> OpenAsync(string connectionString, TimeProvider time, CancellationToken ct)
        => OpenAsync(connectionString, time, SqliteCheckpointer.Settings.Default, ct);

    /// <summary>As <see cref="OpenAsync(string, TimeProvider, CancellationToken)"/>, with the checkpointer's settings.</summary>
    internal static async Task<SqliteStore> OpenAsync(
        string connectionString, TimeProvider time, SqliteCheckpointer.Settings checkpoints, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(time);
        var settings = SqliteSettings.Parse(connectionString);
        var connection = new SqliteConnection(settings.ConnectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            await ConfigureWriterAsync(connection, settings, ct).ConfigureAwait(false);
            await SqliteMigrator.MigrateAsync(connection, ct).ConfigureAwait(false);
            var checkpointer = await SqliteCheckpointer.StartAsync(settings.ConnectionString, checkpoints, ct).ConfigureAwait(false);
            return new SqliteStore(settings.ConnectionString, time, new SqliteWriter(connection, checkpointer));
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            SqliteConnection.ClearPool(connection);
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The request is queued for the single writer, which commits it together with the other requests
    /// pending at that moment, each inside its own savepoint (group commit). The task completes after the
    /// commit; a request that fails faults alone and stores nothing. Cancelling <paramref name="ct"/>
    /// before the request's events are all applied rolls it back; after the commit it has no effect.
    /// </remarks>
    public Task<int> AppendAsync(long organization, IReadOnlyList<Event> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return Task.FromResult(0);
        }

        if (AsValidChanges(events) is { } changes)
        {
            return _writer.WriteChangesAsync(organization, changes, ct);
        }

        return _writer.WriteAsync((session, token) => session.Events.Append(organization, events, token), events.Count, ct);
    }

    /// <summary>The events as changes when all are changes with a system and an identifier (which cannot fail to upsert), else null.</summary>
    private static List<Change>? AsValidChanges(IReadOnlyList<Event> events)
    {
        if (events[0] is not Change)
        {
            return null;
        }

        var changes = new List<Change>(events.Count);
        foreach (var e in events)
        {
            if (e is not Change { System: not null, Identifier: not null } change)
            {
                return null;
            }

            changes.Add(change);
        }

        return changes;
    }

    /// <inheritdoc />
    public async Task<WindowFacts> ReadFactsAsync(
        long organization, long from, long to, string environment, IReadOnlyList<string> systems, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(systems);
        ArgumentOutOfRangeException.ThrowIfLessThan(to, from);

        // Successful deployments in range, each with whether any incident is attributed to it: one
        // covering index range per system that has deployed in the environment. Each row is one
        // integer, ts * 4 + rework * 2 + failed: a window can hold many thousands of rows, and every
        // column read is a call into SQLite.
        const string DeploymentsSql = """
            SELECT d.ts * 4 + (d.rework <> 0) * 2 + (d.incidents > 0)
            FROM system_environments se
            CROSS JOIN deployments d
            WHERE se.org = $org AND se.env = $env
              AND ($systems IS NULL OR se.system IN (SELECT value FROM json_each($systems)))
              AND d.org = se.org AND d.system = se.system AND d.env = se.env AND d.result = 0 AND d.ts >= $from AND d.ts < $to
            """;

        // Changes first deployed in range, with their own timestamp when they were pushed (else
        // long.MinValue, cheaper to read than a NULL): likewise.
        const string LeadTimesSql = """
            SELECT f.deployed_at, coalesce(f.changed_at, -9223372036854775808)
            FROM system_environments se
            CROSS JOIN first_deployments f
            WHERE se.org = $org AND se.env = $env
              AND ($systems IS NULL OR se.system IN (SELECT value FROM json_each($systems)))
              AND f.org = se.org AND f.system = se.system AND f.env = se.env AND f.deployed_at >= $from AND f.deployed_at < $to
            """;

        // Incidents resolved in range, or created before `to` and unresolved at `to`. An incident resolved
        // after `to` but created before it lasted more than (resolved - to), so its resolution lies within
        // the organization's longest incident span after `to`: that bound keeps the scan to the range.
        const string IncidentsSql = """
            SELECT i.created, i.resolved, a.deployed_at
            FROM incidents i
            LEFT JOIN incident_attributions a ON a.org = i.org AND a.system = i.system AND a.incident = i.id AND a.env = $env
            WHERE i.org = $org AND i.resolved IS NOT NULL AND i.resolved >= $from
              AND i.resolved <= $to + coalesce((SELECT s.max_span FROM incident_spans s WHERE s.org = $org), 0)
              AND (i.resolved < $to OR i.created < $to)
            UNION ALL
            SELECT i.created, i.resolved, a.deployed_at
            FROM incidents i
            LEFT JOIN incident_attributions a ON a.org = i.org AND a.system = i.system AND a.incident = i.id AND a.env = $env
            WHERE i.org = $org AND i.resolved IS NULL AND i.created < $to
            """;

        // The same for some systems: one index range per system (0013), not the organization's range
        // filtered. The systems are distinct, so no incident comes twice.
        const string SystemIncidentsSql = """
            SELECT i.created, i.resolved, a.deployed_at
            FROM json_each($systems) s
            CROSS JOIN incidents i
            LEFT JOIN incident_attributions a ON a.org = i.org AND a.system = i.system AND a.incident = i.id AND a.env = $env
            WHERE i.org = $org AND i.system = s.value AND i.resolved IS NOT NULL AND i.resolved >= $from
              AND i.resolved <= $to + coalesce((SELECT m.max_span FROM incident_spans m WHERE m.org = $org), 0)
              AND (i.resolved < $to OR i.created < $to)
            UNION ALL
            SELECT i.created, i.resolved, a.deployed_at
            FROM json_each($systems) s
            CROSS JOIN incidents i
            LEFT JOIN incident_attributions a ON a.org = i.org AND a.system = i.system AND a.incident = i.id AND a.env = $env
            WHERE i.org = $org AND i.system = s.value AND i.resolved IS NULL AND i.created < $to
            """;

        var env = EnvironmentName.Normalize(environment);
        var filter = systems.Count == 0
            ? null
            : JsonSerializer.Serialize(systems.Select(SystemName.Normalize).Distinct(StringComparer.Ordinal).ToList(), StorageJson.Relaxed.ListString);

        var query = new FactsQuery(organization, env, from, to, filter);
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);

        // One read transaction (deferred: a reader never takes the write lock), so the three reads
        // see the same committed snapshot.
        await using var transaction = connection.BeginTransaction(deferred: true);
        var deployments = ReadAll(
            connection, DeploymentsSql, query,
            s => raw.sqlite3_column_int64(s, 0) is var packed ? new DeploymentFact(packed >> 2, (packed & 2) != 0, (packed & 1) != 0) : default, ct);
        var leadTimes = ReadAll(
            connection, LeadTimesSql, query,
            s => new LeadTimeFact(raw.sqlite3_column_int64(s, 0), raw.sqlite3_column_int64(s, 1) is var changedAt && changedAt != long.MinValue ? changedAt : null), ct);
        var incidents = ReadAll(
            connection, filter is null ? IncidentsSql : SystemIncidentsSql, query,
            s => new IncidentFact(raw.sqlite3_column_int64(s, 0), Nullable(s, 1), Nullable(s, 2)), ct);
        return new WindowFacts(from, to, deployments, leadTimes, incidents);
    }

    /// <inheritdoc />
    public async Task<LatestDeployment?> FindLatestDeploymentAsync(long organization, string system, string environment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(system);

        // Latest by timestamp, ties by the greatest identifier: the order incident attribution uses.
        const string Sql = """
            SELECT system AS System, env AS Environment, id AS Identifier, ts AS Timestamp, commit_sha AS "Commit"
            FROM deployments
            WHERE org = @Org AND system = @System AND env = @Env AND result = 0
            ORDER BY ts DESC, id DESC
            LIMIT 1
            """;
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<LatestDeploymentRow>(new CommandDefinition(
            Sql,
            new { Org = organization, System = SystemName.Normalize(system), Env = EnvironmentName.Normalize(environment) },
            cancellationToken: ct)).ConfigureAwait(false);
        return row is null ? null : new LatestDeployment(row.System, row.Environment, row.Identifier, row.Timestamp, row.Commit);
    }

    /// <inheritdoc />
    public async Task<bool> IsReadyAsync(CancellationToken ct)
    {
        const string Sql = "SELECT count(*) FROM schema_version";
        try
        {
            await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
            return await connection.ExecuteScalarAsync<long>(new CommandDefinition(Sql, cancellationToken: ct)).ConfigureAwait(false) > 0;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    /// <summary>Finishes the queued writes, then closes the writer and releases the pooled readers.</summary>
    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);

        // Pooled readers keep the file open; a disposed store should let it go (tests delete it).
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private static async Task ConfigureWriterAsync(SqliteConnection connection, SqliteSettings settings, CancellationToken ct)
    {
        // WAL lets readers run alongside the one writer and makes commits a sequential append.
        // journal_mode is stored in the file; the rest holds for this connection only, which is the
        // only one that writes. busy_timeout covers another process briefly holding the file. The
        // writer never checkpoints: SqliteCheckpointer does, beside it.
        // Foreign keys guard api_keys → organizations (event tables carry none: they are the hot path).
        var pragmas = $"""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = {settings.Synchronous};
            PRAGMA busy_timeout = 10000;
            PRAGMA foreign_keys = ON;
            PRAGMA cache_size = -65536;
            PRAGMA wal_autocheckpoint = 0;
            """;
        await connection.ExecuteAsync(new CommandDefinition(pragmas, cancellationToken: ct)).ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <remarks>
    /// Synchronous on purpose: Microsoft.Data.Sqlite's async methods run synchronously anyway, and a
    /// window can be hundreds of thousands of rows, where an await per row costs more than the row.
    /// </remarks>
    // Window reads go through SQLitePCL on the ADO.NET connection's handle (inside its transaction):
    // they return tens of thousands of one- or two-integer rows, and SqliteDataReader's per-row and
    // per-column bookkeeping was half of a 90-day all-systems metrics request.
    private static List<T> ReadAll<T>(SqliteConnection connection, string sql, FactsQuery query, Func<sqlite3_stmt, T> map, CancellationToken ct)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The reader connection is closed.");
        SqliteStatement.Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        using (statement)
        {
            Bind(db, statement, "$org", query.Organization);
            Bind(db, statement, "$env", query.Environment);
            Bind(db, statement, "$from", query.From);
            Bind(db, statement, "$to", query.To);
            Bind(db, statement, "$systems", query.Systems);
            var rows = new List<T>();
            int rc;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                rows.Add(map(statement));
                if (rows.Count % 65_536 == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }
            }

            SqliteStatement.Check(db, rc == raw.SQLITE_DONE ? raw.SQLITE_OK : rc);
            return rows;
        }
    }

    private static long? Nullable(sqlite3_stmt statement, int column)
        => raw.sqlite3_column_type(statement, column) == raw.SQLITE_NULL ? null : raw.sqlite3_column_int64(statement, column);

    private static void Bind(sqlite3 db, sqlite3_stmt statement, string name, object? value)
    {
        var index = raw.sqlite3_bind_parameter_index(statement, name);
        if (index != 0)
        {
            SqliteStatement.Check(db, SqliteStatement.Bind(statement, index, value));
        }
    }

    /// <param name="Systems">A JSON array of system names, or null for all systems.</param>
    private sealed record FactsQuery(long Organization, string Environment, long From, long To, string? Systems);

    private sealed record LatestDeploymentRow(string System, string Environment, string Identifier, long Timestamp, string? Commit);
}
