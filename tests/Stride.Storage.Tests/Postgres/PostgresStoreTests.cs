using Dapper;
using Npgsql;
using Stride.Core.Events;
using Stride.Storage.Postgres;

namespace Stride.Storage.Tests.Postgres;

public sealed class PostgresKeyStoreContractTests : KeyStoreContractTests<PostgresStoreProvider>;

/// <summary>What only the PostgreSQL store has: its connection string, and migrations shared by many nodes.</summary>
public sealed class PostgresStoreTests : FreshDatabaseTests
{
    [Fact]
    public async Task AHostInTheConnectionStringOpensThePostgresStore()
    {
        await using var store = await StoreFactory.OpenAsync(ConnectionString, Time, Ct);

        Assert.IsType<PostgresStore>(store);
        Assert.True(await store.IsReadyAsync(Ct));
    }

    [Fact]
    public async Task AKeyRevokedThroughOneStoreIsReportedToTheWatchOfAnother()
    {
        // Two stores on one database, as two nodes: one watches, the other revokes.
        await using var watching = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        await using var revoking = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
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

    [Fact]
    public async Task NodesStartingTogetherMigrateOnce()
    {
        // Eight stores opened at once on a new database, as eight nodes starting together would.
        var stores = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostgresStore.OpenAsync(ConnectionString, Time, Ct)));
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }

        await using var connection = new NpgsqlConnection(ConnectionString);
        var versions = (await connection.QueryAsync<int>("SELECT version FROM schema_version ORDER BY version")).ToList();
        Assert.Equal(Enumerable.Range(1, PostgresMigrator.LatestVersion), versions);
    }

    [Fact]
    public async Task TheMigrationThatMovesTheDerivedFactsIntoMemoryKeepsEveryStoredEvent()
    {
        // A database as the build before that migration (version 8) left it, with events in its tables.
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await PostgresMigrator.MigrateAsync(connection, upTo: 7, Ct);
            await connection.ExecuteAsync("""
                INSERT INTO organizations (id, name, created_at) VALUES (1, 'acme', 0);
                INSERT INTO changes (org, system, id, ts) VALUES (1, 'a', 'c1', 1000), (1, 'a', 'c2', 1600);
                INSERT INTO deployments (org, system, env, id, ts, result, rework, commit_sha, teams, changes, chain_gap)
                VALUES (1, 'a', 'production', 'v1', 2000, 0, false, 'abc', '["core"]', '["c1", "c2"]', NULL),
                       (1, 'b', 'production', 'v2', 2500, 1, true, NULL, '[]', '[]', 'def');
                INSERT INTO incidents (org, system, id, created, resolved, deployment) VALUES (1, 'a', 'INC-1', 3000, 4000, NULL);
                """);
        }

        await using var store = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        Assert.Equal(["a", "b"], await store.ListSystemNamesAsync(1, Ct));
        var v1 = await store.FindDeploymentAsync(1, "a", "production", "v1", Ct);
        Assert.NotNull(v1);
        Assert.Equal(["core"], v1.Deployment.Teams);
        Assert.Equal([new DeploymentChange("c1", 1000, 1000, true), new DeploymentChange("c2", 1600, 400, true)], v1.Changes);
        Assert.Equal(["INC-1"], v1.Deployment.Incidents);
        Assert.Equal("abc", (await store.FindLatestDeploymentAsync(1, "a", "production", Ct))?.Commit);
        var v2 = await store.FindDeploymentAsync(1, "b", "production", "v2", Ct);
        Assert.Equal((DeploymentResult.Failure, true), (v2!.Deployment.Result, v2.Deployment.Rework));

        // The chain walk's indexes came through: a push bringing the commit v2's walk stopped at walks it again.
        await using var connection2 = new NpgsqlConnection(ConnectionString);
        Assert.Equal(1L, await connection2.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM deployments WHERE org = 1 AND system = 'b' AND chain_gap = 'def'"));
    }

    [Fact]
    public async Task ChangesSavedInTheirTableBeforeTheFeedHeldThemAreReadWithThoseSavedSince()
    {
        // A database as the build before changes moved into the feed (version 8) left it.
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await PostgresMigrator.MigrateAsync(connection, upTo: 8, Ct);
            await connection.ExecuteAsync("""
                INSERT INTO organizations (id, name, created_at) VALUES (1, 'acme', 0);
                INSERT INTO changes (org, system, id, ts) VALUES (1, 'a', 'c1', 1000), (1, 'a', 'c2', 1600);
                INSERT INTO deployments (org, system, env, id, ts, result, rework, commit_sha, teams, changes, chain_gap)
                VALUES (1, 'a', 'production', 'v1', 2000, 0, false, NULL, '[]', '["c1", "c2"]', NULL);
                """);
        }

        await using (var writer = await PostgresStore.OpenAsync(ConnectionString, Time, Ct))
        {
            await writer.AppendAsync(1, [new Change("a", "c1", 900), new Change("a", "c3", 1700), new Change("a", "c2", 1800)], Ct);
            await writer.AppendAsync(1, [new Deployment("a", "v2", 2100, "production", DeploymentResult.Success, ["c3"], [], null, false)], Ct);
        }

        await using var store = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var v1 = await store.FindDeploymentAsync(1, "a", "production", "v1", Ct);
        Assert.Equal([new DeploymentChange("c1", 900, 1100, true), new DeploymentChange("c2", 1600, 400, true)], v1!.Changes);
        var v2 = await store.FindDeploymentAsync(1, "a", "production", "v2", Ct);
        Assert.Equal([new DeploymentChange("c3", 1700, 400, true)], v2!.Changes);

        await using var connection2 = new NpgsqlConnection(ConnectionString);
        Assert.Equal(2L, await connection2.ExecuteScalarAsync<long>("SELECT count(*) FROM changes"));
        Assert.Equal(1L, await connection2.ExecuteScalarAsync<long>("SELECT count(*) FROM event_feed WHERE holds_changes"));
    }

    [Fact]
    public async Task ADatabaseOfANewerSchemaIsRefused()
    {
        await (await PostgresStore.OpenAsync(ConnectionString, Time, Ct)).DisposeAsync();
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.ExecuteAsync("INSERT INTO schema_version (version, name) VALUES (999, '0999_future.sql')");
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresStore.OpenAsync(ConnectionString, Time, Ct));
        Assert.Contains("newer", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=")]
    [InlineData("Host=localhost;Port=notanumber")]
    public async Task AMalformedConnectionStringIsRefusedBeforeConnecting(string connectionString)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => PostgresStore.OpenAsync(connectionString, Time, Ct));
    }
}
