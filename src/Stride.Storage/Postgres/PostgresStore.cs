using Dapper;
using Npgsql;

namespace Stride.Storage.Postgres;

/// <summary>The server store: one PostgreSQL database shared by any number of stateless Stride nodes.</summary>
/// <remarks>
/// <para>Open with <see cref="OpenAsync"/> (or <see cref="StoreFactory.OpenAsync"/> with a <c>Host=</c>
/// connection string); keep one instance per process and dispose it at shutdown. Thread-safe: every call
/// takes a pooled connection of its own.</para>
/// <para>Several nodes write at once. A request's events are applied in one transaction that first takes
/// an advisory lock per system it stores deployments, incidents or pushes of (in a fixed order, so two
/// requests never deadlock); requests
/// for different systems run in parallel. A transaction that fails for a transient reason (a dropped
/// connection before the commit, a deadlock or serialization failure) is retried whole.</para>
/// <para>Event reads (metrics, lists, lookups) are answered from an in-memory index of the organization's
/// saved events, as on SQLite, which each node brings up to date from the other nodes' writes before
/// every read (<see cref="PostgresIndexes"/>).</para>
/// </remarks>
public sealed partial class PostgresStore : IStrideStore
{
    // Retries of a whole transaction after a transient failure; the pause doubles from this one.
    private const int MaxAttempts = 4;
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(50);

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;

    private PostgresStore(NpgsqlDataSource dataSource, TimeProvider time)
    {
        _dataSource = dataSource;
        _time = time;
        _indexes = new PostgresIndexes(dataSource, time);
    }

    /// <summary>Connects to the database and brings its schema up to date (once, whichever node starts first).</summary>
    /// <param name="connectionString">An Npgsql connection string, e.g. <c>Host=db;Database=stride;Username=stride;Password=…</c>.</param>
    /// <param name="time">The clock for times the store records itself.</param>
    /// <param name="ct">Cancels opening and migrating.</param>
    /// <exception cref="ArgumentException">The connection string is malformed.</exception>
    /// <exception cref="InvalidOperationException">The database's schema is newer than this build knows.</exception>
    public static async Task<PostgresStore> OpenAsync(string connectionString, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(time);
        var dataSource = PostgresSettings.CreateDataSource(connectionString);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            await PostgresMigrator.MigrateAsync(connection, ct).ConfigureAwait(false);
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new PostgresStore(dataSource, time);
    }

    /// <inheritdoc />
    public async Task<bool> IsReadyAsync(CancellationToken ct)
    {
        const string Sql = "SELECT count(*) FROM schema_version";
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            return await connection.ExecuteScalarAsync<long>(new CommandDefinition(Sql, cancellationToken: ct)).ConfigureAwait(false) > 0;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    /// <summary>Closes the pooled connections.</summary>
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>Runs <paramref name="work"/> in a transaction of its own, retried whole after a transient failure.</summary>
    /// <remarks>
    /// Only failures that leave nothing committed are retried: a transient error raised before the
    /// commit returned. (A connection lost during the commit itself is not retried here: whether it
    /// committed is unknown, and the caller's idempotent keys make the client's own retry safe.)
    /// </remarks>
    private async Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var committing = false;
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                var result = await work(connection, transaction).ConfigureAwait(false);
                committing = true;
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return result;
            }
            catch (Exception exception) when (!committing && attempt < MaxAttempts && IsTransient(exception) && !ct.IsCancellationRequested)
            {
                await Task.Delay(FirstPause * (1 << (attempt - 1)), _time, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A failure worth retrying the transaction for: a deadlock, a serialization failure or a lost connection.</summary>
    private static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure } => true,
        NpgsqlException npgsql => npgsql.IsTransient,
        _ => false,
    };
}
