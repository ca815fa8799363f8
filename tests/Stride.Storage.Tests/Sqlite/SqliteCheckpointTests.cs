using Microsoft.Data.Sqlite;
using Stride.Core.Events;
using Stride.Storage.Sqlite;

namespace Stride.Storage.Tests.Sqlite;

/// <summary>The write-ahead log is copied into the database file beside the writer, and stays bounded under load.</summary>
public sealed class SqliteCheckpointTests : SqliteFileTests
{
    [Fact]
    public async Task CommittedPagesReachTheDatabaseFileWhileTheStoreIsOpen()
    {
        await using var store = await SqliteStore.OpenAsync(ConnectionString, Time, Ct);
        var before = new FileInfo(DatabasePath).Length;

        // About 3 MB of pages. The writer itself never checkpoints (wal_autocheckpoint = 0), so only
        // the checkpointer can move them out of the log while the store stays open.
        await store.AppendAsync(1, Changes(0, 20_000), Ct);

        var grown = await EventuallyAsync(() => new FileInfo(DatabasePath).Length > before + 1_000_000);
        Assert.True(grown, $"The database file stayed at {new FileInfo(DatabasePath).Length} bytes (from {before}).");
    }

    [Fact]
    public async Task LogStaysBoundedWhileWritesNeverPause()
    {
        // A small threshold (200 pages, 800 KB) so that a test-sized load crosses it many times.
        var settings = new SqliteCheckpointer.Settings(TimeSpan.FromMilliseconds(5), RestartPages: 200);
        await using var store = await SqliteStore.OpenAsync(ConnectionString, Time, settings, Ct);
        var log = DatabasePath + "-wal";

        // Four writers keep the queue full, so the writer is never idle between commits and a passive
        // checkpoint never catches up with it on its own: without rewinding, the log grows with
        // everything written (over 25 MB here).
        long largest = 0;
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var batch = 0; batch < 40; batch++)
            {
                await store.AppendAsync(1, Changes((w * 40 + batch) * 1_000, 1_000), Ct);
                largest = Math.Max(largest, File.Exists(log) ? new FileInfo(log).Length : 0);
            }
        }, Ct));
        await Task.WhenAll(writers);

        var database = new FileInfo(DatabasePath).Length;
        Assert.True(largest < 8_000_000, $"The log reached {largest} bytes (the database file is {database}).");
        Assert.Equal(160_000, CountChanges());
    }

    private static List<Event> Changes(int first, int count)
        => [.. Enumerable.Range(first, count).Select(i => (Event)Some.Change($"{i:x40}", 1_000 + i))];

    private long CountChanges()
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM changes";
        return (long)command.ExecuteScalar()!;
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50, Ct);
        }

        return condition();
    }
}
