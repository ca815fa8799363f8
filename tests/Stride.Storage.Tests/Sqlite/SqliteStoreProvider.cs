using Microsoft.Extensions.Time.Testing;

namespace Stride.Storage.Tests.Sqlite;

/// <summary>Each store is its own temporary SQLite file, deleted (with its WAL) afterwards.</summary>
public sealed class SqliteStoreProvider : StoreProvider
{
    public override async Task<TestStore> CreateStoreAsync(TimeProvider time, CancellationToken ct)
    {
        var path = NewDatabasePath();
        var store = await StoreFactory.OpenAsync($"Data Source={path}", time, ct);
        return new TestStore(store, time as FakeTimeProvider, () =>
        {
            DeleteDatabase(path);
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>A path in the temporary folder that no file has yet.</summary>
    public static string NewDatabasePath() => Path.Combine(Path.GetTempPath(), $"stride-test-{Guid.NewGuid():N}.db");

    /// <summary>Deletes a database file with its WAL and shared-memory files (its store must be disposed).</summary>
    public static void DeleteDatabase(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            File.Delete(file);
        }
    }
}
