using Microsoft.Extensions.Time.Testing;

namespace Stride.Storage.Tests.Sqlite;

/// <summary>Tests of one SQLite file each (a new one per test), deleted with its WAL afterwards.</summary>
public abstract class SqliteFileTests : IDisposable
{
    protected string DatabasePath { get; } = SqliteStoreProvider.NewDatabasePath();

    protected FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    protected string ConnectionString => $"Data Source={DatabasePath}";

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteStoreProvider.DeleteDatabase(DatabasePath);
        GC.SuppressFinalize(this);
    }
}
