using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Stride.Storage.Sqlite;

/// <summary>Copies the write-ahead log into the database file on a connection and thread of its own.</summary>
/// <remarks>
/// <para>SQLite's automatic checkpoint runs inside the commit that crosses its threshold, on the
/// writer's thread: every few batches, one request waited for tens of megabytes to be copied and
/// synced while the next could not start (about a tenth of batched ingestion). Here the writer only
/// signals its commits; a checkpoint runs at most every <see cref="Settings.Interval"/>, in PASSIVE
/// mode, which never blocks the writer or the readers.</para>
/// <para>A checkpoint here cannot rewind the log while commits keep coming (the writer is always a
/// little ahead of it, and waiting for the writer to pause would wait as long as the load lasts), so
/// under sustained load the log would only grow. Once it holds more than
/// <see cref="Settings.RestartPages"/> pages, the writer, after its next commit, copies the few pages
/// committed since the last checkpoint itself: the log is then wholly copied, and the writer's next
/// transaction starts it from its beginning again. The writer waits for that short copy only.</para>
/// </remarks>
internal sealed class SqliteCheckpointer : IAsyncDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Settings _settings;
    private readonly Channel<bool> _commits = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    // Set by a checkpoint that found the log past its bound, taken by the writer after its next commit.
    private int _rewindWanted;

    private SqliteCheckpointer(SqliteConnection connection, Settings settings)
    {
        _connection = connection;
        _settings = settings;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Opens the checkpointer's own connection to the database of <paramref name="connectionString"/>.</summary>
    public static async Task<SqliteCheckpointer> StartAsync(string connectionString, Settings settings, CancellationToken ct)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);

            // Reading the journal mode makes the connection open the log: until a connection has read
            // the database, SQLite does not know it is in WAL mode, and a checkpoint does nothing.
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode";
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new SqliteCheckpointer(connection, settings);
    }

    /// <summary>Tells the checkpointer that the writer committed; cheap, never blocks.</summary>
    /// <param name="writer">The writer's connection, outside any transaction.</param>
    public void Committed(SqliteConnection writer)
    {
        _commits.Writer.TryWrite(true);
        if (Interlocked.Exchange(ref _rewindWanted, 0) == 1)
        {
            // Between two of the writer's transactions nothing can commit, so this checkpoint, of what
            // was committed since the last one here, leaves no page behind: the writer's next
            // transaction then starts the log from its beginning (unless a reader still needs it,
            // in which case a later round tries again).
            raw.sqlite3_wal_checkpoint_v2(writer.Handle!, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out _, out _);
        }
    }

    /// <summary>Stops checkpointing and closes the connection (the last connection to close checkpoints what is left).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        try
        {
            while (await _commits.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                _commits.Reader.TryRead(out _);
                Checkpoint();
                // The machine's clock, not the store's: this paces disk work, it is no time Stride reports.
                await Task.Delay(_settings.Interval, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private void Checkpoint()
    {
        // Failures (busy, or an I/O error) leave the log as it was: every page stays safe in it, and
        // the next round tries again. There is no one to report them to on this thread.
        var rc = raw.sqlite3_wal_checkpoint_v2(_connection.Handle!, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out var logPages, out _);
        if (rc == raw.SQLITE_OK && logPages > _settings.RestartPages)
        {
            Volatile.Write(ref _rewindWanted, 1);
        }
    }

    /// <param name="Interval">The least time between two checkpoints.</param>
    /// <param name="RestartPages">The log size, in pages, past which a checkpoint also rewinds the log.</param>
    internal sealed record Settings(TimeSpan Interval, int RestartPages)
    {
        /// <summary>
        /// A checkpoint a quarter of a second (at most a few batches' pages to copy); the log rewound past
        /// 40 MB of pages, the automatic checkpoint's threshold before.
        /// </summary>
        public static Settings Default { get; } = new(TimeSpan.FromMilliseconds(250), 10_000);
    }
}
