using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Stride.Storage.Postgres;

namespace Stride.Storage.Tests.Postgres;

public sealed class PostgresKeyStoreContractTests : KeyStoreContractTests<PostgresStoreProvider>;

/// <summary>What only the PostgreSQL store has: its connection string, and migrations shared by many nodes.</summary>
public sealed class PostgresStoreTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AHostInTheConnectionStringOpensThePostgresStore()
    {
        var (connectionString, drop) = await PostgresStoreProvider.CreateDatabaseAsync(Ct);
        try
        {
            await using var store = await StoreFactory.OpenAsync(connectionString, _time, Ct);

            Assert.IsType<PostgresStore>(store);
            Assert.True(await store.IsReadyAsync(Ct));
        }
        finally
        {
            await drop();
        }
    }

    [Fact]
    public async Task AKeyRevokedThroughOneStoreIsReportedToTheWatchOfAnother()
    {
        var (connectionString, drop) = await PostgresStoreProvider.CreateDatabaseAsync(Ct);
        try
        {
            // Two stores on one database, as two nodes: one watches, the other revokes.
            await using var watching = await PostgresStore.OpenAsync(connectionString, _time, Ct);
            await using var revoking = await PostgresStore.OpenAsync(connectionString, _time, Ct);
            var org = await revoking.EnsureOrganizationAsync("acme", Ct);
            var id = await revoking.CreateKeyAsync(new NewApiKey(org, "ci", "sk_1", [1, 2, 3], ["read"], 1_700_000_000), Ct);
            var listening = new TaskCompletionSource();
            var heard = new TaskCompletionSource<long>();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var watch = watching.WatchRevocationsAsync(
                revoked =>
                {
                    if (revoked is { } key)
                    {
                        heard.TrySetResult(key);
                    }
                    else
                    {
                        listening.TrySetResult();   // told to forget everything: LISTEN is in place
                    }
                },
                stop.Token);
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

            Assert.Equal(0, await revoking.RevokeKeyAsync(org, id + 1, 1_700_000_100, Ct));   // no such key: nothing to tell
            Assert.Equal(1, await revoking.RevokeKeyAsync(org, id, 1_700_000_100, Ct));

            Assert.Equal(id, await heard.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct));
            await stop.CancelAsync();
            await watch.WaitAsync(TimeSpan.FromSeconds(10), Ct);   // ends when cancelled, without throwing
        }
        finally
        {
            await drop();
        }
    }

    [Fact]
    public async Task NodesStartingTogetherMigrateOnce()
    {
        var (connectionString, drop) = await PostgresStoreProvider.CreateDatabaseAsync(Ct);
        try
        {
            // Eight stores opened at once on a new database, as eight nodes starting together would.
            var stores = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostgresStore.OpenAsync(connectionString, _time, Ct)));
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }

            await using var connection = new NpgsqlConnection(connectionString);
            var versions = (await connection.QueryAsync<int>("SELECT version FROM schema_version ORDER BY version")).ToList();
            Assert.Equal(Enumerable.Range(1, PostgresMigrator.LatestVersion), versions);
        }
        finally
        {
            await drop();
        }
    }

    [Fact]
    public async Task TheMigrationThatAddsTheSystemsTableFillsItFromTheStoredEvents()
    {
        var (connectionString, drop) = await PostgresStoreProvider.CreateDatabaseAsync(Ct);
        try
        {
            long org;
            await using (var store = await PostgresStore.OpenAsync(connectionString, _time, Ct))
            {
                org = await store.EnsureOrganizationAsync("acme", Ct);
                var other = await store.EnsureOrganizationAsync("other", Ct);
                await store.AppendAsync(org, [Some.Change(system: "a"), Some.Deployment(system: "b"), Some.Incident(system: "c"), Some.Change(system: "b")], Ct);
                await store.AppendAsync(other, [Some.Change(system: "z")], Ct);
            }

            // Back to the schema before that migration (version 5), with the events stored; the later
            // migrations run again too, and are written so that they can.
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.ExecuteAsync("DROP TABLE systems; DELETE FROM schema_version WHERE version >= 6");
            }

            await using (var store = await PostgresStore.OpenAsync(connectionString, _time, Ct))
            {
                Assert.Equal(["a", "b", "c"], await store.ListSystemNamesAsync(org, Ct));
            }
        }
        finally
        {
            await drop();
        }
    }

    [Fact]
    public async Task ADatabaseOfANewerSchemaIsRefused()
    {
        var (connectionString, drop) = await PostgresStoreProvider.CreateDatabaseAsync(Ct);
        try
        {
            await (await PostgresStore.OpenAsync(connectionString, _time, Ct)).DisposeAsync();
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.ExecuteAsync("INSERT INTO schema_version (version, name) VALUES (999, '0999_future.sql')");
            }

            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresStore.OpenAsync(connectionString, _time, Ct));
            Assert.Contains("newer", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            await drop();
        }
    }

    [Theory]
    [InlineData("Host=")]
    [InlineData("Host=localhost;Port=notanumber")]
    public async Task AMalformedConnectionStringIsRefusedBeforeConnecting(string connectionString)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => PostgresStore.OpenAsync(connectionString, _time, Ct));
    }
}
