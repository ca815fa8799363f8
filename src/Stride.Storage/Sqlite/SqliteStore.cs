using Dapper;
using Microsoft.Data.Sqlite;
using Stride.Core.Events;
using Stride.Core.Metrics;
using Stride.Storage.Memory;

namespace Stride.Storage.Sqlite;

/// <summary>The embedded store: one SQLite file holding events, organizations and keys, and the events' facts in memory.</summary>
/// <remarks>
/// <para>Open with <see cref="OpenAsync(string, TimeProvider, CancellationToken)"/> (or <see cref="StoreFactory.OpenAsync"/>); keep one instance per
/// database for the life of the process and dispose it at shutdown (the store must be the only one
/// open on its file). Thread-safe.</para>
/// <para>Writes go through a single writer connection with group commit (see <see cref="AppendAsync"/>).
/// Event reads (metrics, lists, lookups) are answered from an in-memory index of the saved events
/// (<see cref="EventIndex"/>), built from the tables at open and given every commit's events before its
/// requests are answered; the other reads use their own pooled connections, which WAL mode lets run
/// alongside the writer.</para>
/// </remarks>
public sealed partial class SqliteStore : IStrideStore
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly SqliteWriter _writer;
    private readonly EventIndex _index;

    private SqliteStore(string connectionString, TimeProvider time, SqliteWriter writer, EventIndex index)
    {
        _connectionString = connectionString;
        _time = time;
        _writer = writer;
        _index = index;
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
            var index = LoadIndex(settings.ConnectionString);
            var checkpointer = await SqliteCheckpointer.StartAsync(settings.ConnectionString, checkpoints, ct).ConfigureAwait(false);
            return new SqliteStore(settings.ConnectionString, time, new SqliteWriter(connection, checkpointer, index), index);
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
    public Task<WindowFacts> ReadFactsAsync(
        long organization, long from, long to, string environment, IReadOnlyList<string> systems, CancellationToken ct)
        => ReadFacts(organization, from, to, environment, systems, byDay: false);

    /// <inheritdoc />
    /// <remarks>For all systems, every whole UTC day of the range comes summarized.</remarks>
    public Task<WindowFacts> ReadFactsByDayAsync(
        long organization, long from, long to, string environment, IReadOnlyList<string> systems, CancellationToken ct)
        => ReadFacts(organization, from, to, environment, systems, byDay: true);

    private Task<WindowFacts> ReadFacts(long organization, long from, long to, string environment, IReadOnlyList<string> systems, bool byDay)
        => Task.FromResult(_index[organization].Facts(from, to, environment, systems, byDay));

    /// <inheritdoc />
    public Task<LatestDeployment?> FindLatestDeploymentAsync(long organization, string system, string environment, CancellationToken ct)
        => Task.FromResult(_index[organization].Latest(system, environment));

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
}
