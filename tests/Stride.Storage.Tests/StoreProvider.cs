using Microsoft.Extensions.Time.Testing;

namespace Stride.Storage.Tests;

/// <summary>Creates empty stores of one provider for the contract tests (STYLE T5).</summary>
public abstract class StoreProvider
{
    /// <summary>Whether this provider can run here (a PostgreSQL one needs a server).</summary>
    public virtual bool IsAvailable => true;

    /// <summary>Why <see cref="IsAvailable"/> is false.</summary>
    public virtual string UnavailableReason => "";

    /// <summary>A new, empty, migrated store that no other test uses, removed when disposed.</summary>
    public abstract Task<TestStore> CreateStoreAsync(TimeProvider time, CancellationToken ct);
}

/// <summary>A store under test and the clean-up of whatever backs it.</summary>
public sealed class TestStore(IStrideStore store, FakeTimeProvider? time, Func<ValueTask> cleanUp) : IAsyncDisposable
{
    public IStrideStore Store { get; } = store;

    public IEventStore Events => Store;

    public IKeyStore Keys => Store;

    /// <summary>The clock the store was given, when the test did not pass its own.</summary>
    public FakeTimeProvider? Time { get; } = time;

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await cleanUp();
    }
}
