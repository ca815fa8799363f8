using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Stride.Core.Events;
using Stride.Storage.Memory;

namespace Stride.Storage.Sqlite;

/// <summary>The one connection that writes, shared by all requests through group commit.</summary>
/// <remarks>
/// SQLite has one writer at a time, and a commit's cost (the WAL write) hardly depends on its size.
/// So requests are queued; a single loop takes everything pending, applies each request inside its
/// own SAVEPOINT of one transaction, commits once, and only then completes the requests' tasks. A
/// request that fails is rolled back to its savepoint and faulted alone; the others still commit.
/// Two refinements: a lone request needs no savepoint (the transaction is its unit), and requests
/// made only of changes, which cannot fail one by one, are upserted together in one savepoint.
/// </remarks>
internal sealed class SqliteWriter : IAsyncDisposable
{
    // Bounds one transaction (and so the wait of the requests behind it) when very many are queued;
    // a single larger request is still applied whole.
    private const int MaxGroupWeight = 50_000;

    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });

    private readonly SqliteConnection _connection;
    private readonly SqliteCheckpointer _checkpointer;
    private readonly EventIndex _index;
    private readonly WriteSession _session;
    private readonly SqliteStatement _begin;
    private readonly SqliteStatement _commit;
    private readonly SqliteStatement _rollback;
    private readonly SqliteStatement _savepoint;
    private readonly SqliteStatement _release;
    private readonly SqliteStatement _rollbackToSavepoint;
    private readonly Task _loop;

    /// <param name="connection">An open connection, configured and migrated; the writer owns it from now on.</param>
    /// <param name="checkpointer">Told of every commit; the writer owns it from now on.</param>
    /// <param name="index">Given the saved events of every commit before its requests are answered.</param>
    public SqliteWriter(SqliteConnection connection, SqliteCheckpointer checkpointer, EventIndex index)
    {
        _connection = connection;
        _checkpointer = checkpointer;
        _index = index;
        _session = new WriteSession(connection, new SqliteEventWriter(connection));

        // Transactions are driven with SQL rather than BeginTransaction, so the prepared statements
        // need no Transaction object and stay valid across transactions. IMMEDIATE takes the write
        // lock at once (another process holding it makes BEGIN wait, not a later statement fail).
        _begin = Command("BEGIN IMMEDIATE");
        _commit = Command("COMMIT");
        _rollback = Command("ROLLBACK");
        _savepoint = Command("SAVEPOINT request");
        _release = Command("RELEASE request");
        _rollbackToSavepoint = Command("ROLLBACK TO request");
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a write; the task completes once it is committed, or faults when it was rolled back.</summary>
    /// <param name="apply">The write, run on the writer's thread inside a savepoint; it may throw to roll itself back.</param>
    /// <param name="weight">Its size in rows, to bound a transaction.</param>
    /// <param name="ct">Cancels the write while it is queued or being applied, never after it was committed.</param>
    public Task<T> WriteAsync<T>(Func<WriteSession, CancellationToken, T> apply, int weight, CancellationToken ct)
    {
        var write = new PendingWrite<T>(apply, Math.Max(1, weight), ct);
        if (!_queue.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(SqliteStore), "The store is closed.");
        }

        return write.Task;
    }

    /// <summary>Queues a request made only of changes; they are upserted together with the other such requests of a commit.</summary>
    /// <param name="changes">Changes with a system and an identifier (checked by the caller).</param>
    public Task<int> WriteChangesAsync(long organization, IReadOnlyList<Change> changes, CancellationToken ct)
    {
        var write = new PendingChanges(organization, changes, ct);
        if (!_queue.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(SqliteStore), "The store is closed.");
        }

        return write.Task;
    }

    /// <summary>Stops taking writes, finishes the queued ones and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_queue.Writer.TryComplete())
        {
            await _loop.ConfigureAwait(false);
            await _checkpointer.DisposeAsync().ConfigureAwait(false);
            _session.Events.Dispose();
            foreach (var command in new[] { _begin, _commit, _rollback, _savepoint, _release, _rollbackToSavepoint })
            {
                command.Dispose();
            }

            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        var group = new List<PendingWrite>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var weight = 0;
            while (weight < MaxGroupWeight && _queue.Reader.TryRead(out var write))
            {
                group.Add(write);
                weight += write.Weight;
            }

            CommitGroup(group);
            group.Clear();
        }
    }

    private void CommitGroup(List<PendingWrite> group)
    {
        var applied = new List<PendingWrite>(group.Count);
        try
        {
            var changesOnly = new List<PendingChanges>();
            var others = new List<PendingWrite>(group.Count);
            foreach (var write in group)
            {
                if (write.CancellationToken.IsCancellationRequested)
                {
                    write.Fail(new OperationCanceledException(write.CancellationToken));
                }
                else if (write is PendingChanges changes)
                {
                    changesOnly.Add(changes);
                }
                else
                {
                    others.Add(write);
                }
            }

            if (changesOnly.Count + others.Count == 0)
            {
                return;
            }

            _begin.Execute();

            // A savepoint makes SQLite copy every page a request changes into a sub-journal, which is
            // only worth it when there are other requests to keep: a lone request (a big batch,
            // typically) rolls back the transaction instead.
            var savepoints = (changesOnly.Count > 0 ? 1 : 0) + others.Count > 1;

            // Requests made only of changes cannot fail one by one (their rows were checked before they
            // were queued, and upserting a change has no other rule to break), so they are upserted all
            // together, in a few statements: many small requests then cost little more than one batch.
            // Should that fail all the same, each is retried alone below.
            if (changesOnly.Count > 0)
            {
                if (TryApply(() => _session.Events.UpsertChanges(changesOnly.Select(w => (w.Organization, w.Changes))), savepoints, out _))
                {
                    applied.AddRange(changesOnly);
                }
                else
                {
                    others.InsertRange(0, changesOnly);
                }
            }

            foreach (var write in others)
            {
                _session.Events.Saved = write.Saved;
                if (TryApply(() => write.Apply(_session), savepoints, out var exception))
                {
                    applied.Add(write);
                }
                else
                {
                    write.Saved.Clear();
                    write.Fail(exception!);
                }

                _session.Events.Saved = null;
            }

            _commit.Execute();
        }
        catch (Exception exception)
        {
            _session.Events.Saved = null;
            TryRollback();
            foreach (var write in group)
            {
                write.Fail(exception);
            }

            return;
        }

        // Readers see a write in the index once it is committed and before it is answered: a 2xx is
        // then both durable and visible.
        foreach (var write in applied)
        {
            if (write is PendingChanges changes)
            {
                _index.Apply(changes.Organization, changes.Changes);
            }
            else
            {
                _index.Apply(write.Saved);
            }
        }

        foreach (var write in applied)
        {
            write.Complete();
        }

        // After the requests were answered: a copy the checkpointer asks of the writer delays only
        // the next group, and nothing here can fail a write that was committed.
        _checkpointer.Committed(_connection);
    }

    /// <summary>Runs one write inside its own savepoint (when asked), rolling it back alone if it throws.</summary>
    /// <remarks>Without a savepoint an exception escapes, and the caller rolls back the whole transaction.</remarks>
    private bool TryApply(Action apply, bool savepoint, out Exception? failure)
    {
        failure = null;
        if (!savepoint)
        {
            apply();
            return true;
        }

        _savepoint.Execute();
        try
        {
            apply();
        }
        catch (Exception exception)
        {
            // If this throws (the error already ended the transaction), the whole group fails.
            _rollbackToSavepoint.Execute();
            _release.Execute();
            failure = exception;
            return false;
        }

        _release.Execute();
        return true;
    }

    private void TryRollback()
    {
        try
        {
            _rollback.Execute();
        }
        catch (SqliteException)
        {
            // No transaction was open (BEGIN failed, or SQLite already rolled it back): nothing to undo.
        }
    }

    private SqliteStatement Command(string sql) => new(_connection, sql);
}

/// <summary>What a queued write works with, on the writer's thread only.</summary>
internal sealed record WriteSession(SqliteConnection Connection, SqliteEventWriter Events);

internal abstract class PendingWrite(int weight, CancellationToken ct)
{
    public int Weight { get; } = weight;

    public CancellationToken CancellationToken { get; } = ct;

    /// <summary>The events as the write saved them, for the index (see <see cref="SqliteEventWriter.Saved"/>).</summary>
    public List<(long Organization, Event Event)> Saved { get; } = [];

    public abstract void Apply(WriteSession session);

    public abstract void Complete();

    /// <summary>Faults the write (cancels it for an <see cref="OperationCanceledException"/>); no-op once completed.</summary>
    public abstract void Fail(Exception exception);
}

/// <summary>A request of changes only, which the writer may upsert together with others of its kind.</summary>
internal sealed class PendingChanges(long organization, IReadOnlyList<Change> changes, CancellationToken ct)
    : PendingWrite(changes.Count, ct)
{
    private readonly TaskCompletionSource<int> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Organization { get; } = organization;

    public IReadOnlyList<Change> Changes { get; } = changes;

    public Task<int> Task => _completion.Task;

    public override void Apply(WriteSession session) => session.Events.UpsertChanges([(Organization, Changes)]);

    public override void Complete() => _completion.TrySetResult(Changes.Count);

    public override void Fail(Exception exception)
    {
        if (exception is OperationCanceledException && CancellationToken.IsCancellationRequested)
        {
            _completion.TrySetCanceled(CancellationToken);
        }
        else
        {
            _completion.TrySetException(exception);
        }
    }
}

internal sealed class PendingWrite<T>(Func<WriteSession, CancellationToken, T> apply, int weight, CancellationToken ct)
    : PendingWrite(weight, ct)
{
    // Continuations run on the thread pool, never inline on the writer's loop.
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;

    public Task<T> Task => _completion.Task;

    public override void Apply(WriteSession session) => _result = apply(session, CancellationToken);

    public override void Complete() => _completion.TrySetResult(_result!);

    public override void Fail(Exception exception)
    {
        if (exception is OperationCanceledException && CancellationToken.IsCancellationRequested)
        {
            _completion.TrySetCanceled(CancellationToken);
        }
        else
        {
            _completion.TrySetException(exception);
        }
    }
}
