using Microsoft.Data.Sqlite;
using Stride.Core.Metrics;
using Stride.Storage.Sqlite;

namespace Stride.Storage.Tests.Sqlite;

public sealed class SqliteEventStoreContractTests : EventStoreContractTests<SqliteStoreProvider>;

public sealed class SqliteKeyStoreContractTests : KeyStoreContractTests<SqliteStoreProvider>;

/// <summary>What only the SQLite store has: its file, connection string, migrations and journal.</summary>
public sealed class SqliteStoreTests : SqliteFileTests
{
    [Fact]
    public async Task FreshDatabaseIsMigratedToTheLatestVersion()
    {
        await using (await SqliteStore.OpenAsync(ConnectionString, Time, Ct))
        {
        }

        Assert.Equal(
            Enumerable.Range(1, SqliteMigrator.LatestVersion).Select(v => (long)v),
            Query<long>("SELECT version FROM schema_version ORDER BY version"));
        // The event tables hold the events as saved; their derived facts live in the store's memory (0014).
        var tables = Query<string>("SELECT name FROM sqlite_master WHERE type = 'table'");
        Assert.Contains("deployments", tables);
        Assert.DoesNotContain("incident_attributions", tables);
        Assert.DoesNotContain("first_deployments", tables);
    }

    [Fact]
    public async Task ReopeningKeepsDataAndAppliesNothing()
    {
        long org;
        await using (var store = await SqliteStore.OpenAsync(ConnectionString, Time, Ct))
        {
            org = await store.EnsureOrganizationAsync("acme", Ct);
            await store.AppendAsync(org, [Some.Deployment("v1", 1_000)], Ct);
        }

        var applied = Query<string>("SELECT applied_at FROM schema_version");

        await using (var store = await SqliteStore.OpenAsync(ConnectionString, Time, Ct))
        {
            Assert.Equal(org, await store.EnsureOrganizationAsync("acme", Ct));
            Assert.Single((await store.ReadFactsAsync(org, 0, 10_000, "production", [], Ct)).Deployments);
        }

        Assert.Equal(applied, Query<string>("SELECT applied_at FROM schema_version"));
    }

    [Fact]
    public async Task DatabaseOfANewerVersionIsRefused()
    {
        await using (await SqliteStore.OpenAsync(ConnectionString, Time, Ct))
        {
        }

        Execute($"INSERT INTO schema_version (version, name) VALUES ({SqliteMigrator.LatestVersion + 1}, '9999_future.sql')");

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => SqliteStore.OpenAsync(ConnectionString, Time, Ct));
        Assert.Contains($"version {SqliteMigrator.LatestVersion + 1}", exception.Message, StringComparison.Ordinal);
        Assert.Contains("newer", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DatabaseOfAnOlderVersionIsMigratedWithItsData()
    {
        // A version-2 database, as a build of that time left it: a change first deployed by v1, and
        // an incident attributed to v1.
        Execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT '')");
        foreach (var (version, name) in SqliteMigrator.Scripts.Where(s => s.Version <= 2))
        {
            Execute(SqliteMigrator.ReadScript(name));
            Execute($"INSERT INTO schema_version (version, name) VALUES ({version}, '{name}')");
        }

        Execute("""
            INSERT INTO organizations (id, name, created_at) VALUES (1, 'acme', 0);
            INSERT INTO changes VALUES (1, 'api', 'c1', 100);
            INSERT INTO deployments (pk, org, system, env, id, ts, result, rework, commit_sha, teams, changes)
            VALUES (7, 1, 'api', 'production', 'v1', 1000, 0, 0, NULL, '[]', '["c1"]');
            INSERT INTO deployment_changes VALUES (1, 'api', 'c1', 7);
            INSERT INTO first_deployments VALUES (1, 'api', 'production', 'c1', 7, 1000);
            INSERT INTO system_environments VALUES (1, 'api', 'production');
            INSERT INTO incidents VALUES (1, 'api', 'INC-1', 1500, NULL, NULL);
            INSERT INTO incident_attributions VALUES (1, 'api', 'INC-1', 'production', 7, 1000);
            """);

        await using var store = await SqliteStore.OpenAsync(ConnectionString, Time, Ct);

        var facts = await store.ReadFactsAsync(1, 0, 10_000, "production", [], Ct);
        Assert.Equal([new DeploymentFact(1_000, false, true)], facts.Deployments);
        Assert.Equal([new LeadTimeFact(1_000, 100)], facts.LeadTimes);
        Assert.Equal([new IncidentFact(1_500, null, 1_000)], facts.Incidents);

        // And the migrated rows keep following the rules: an earlier push of the change reaches its lead time.
        await store.AppendAsync(1, [Some.Change("c1", 50)], Ct);
        Assert.Equal([new LeadTimeFact(1_000, 50)], (await store.ReadFactsAsync(1, 0, 10_000, "production", [], Ct)).LeadTimes);
        Assert.Equal(
            Enumerable.Range(1, SqliteMigrator.LatestVersion).Select(v => (long)v),
            Query<long>("SELECT version FROM schema_version ORDER BY version"));
    }

    [Fact]
    public async Task DatabaseUsesWriteAheadLogging()
    {
        await using var store = await SqliteStore.OpenAsync(ConnectionString, Time, Ct);

        Assert.Equal("wal", Assert.Single(Query<string>("PRAGMA journal_mode")));
    }

    [Fact]
    public void SynchronousDefaultsToNormalAndCanBeChosenInTheConnectionString()
    {
        Assert.Equal("NORMAL", SqliteSettings.Parse("Data Source=a.db").Synchronous);

        var full = SqliteSettings.Parse("Data Source=a.db;Synchronous=Full");

        Assert.Equal("FULL", full.Synchronous);
        Assert.DoesNotContain("Synchronous", full.ConnectionString, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("Data Source=a.db;Synchronous=Sometimes")]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=a.db;Mode=ReadOnly")]
    [InlineData("Data Source=a.db;Flavour=Vanilla")]
    [InlineData("Data Source")]
    public void UnusableConnectionStringIsRefused(string connectionString)
        => Assert.Throws<ArgumentException>(() => SqliteSettings.Parse(connectionString));

    [Fact]
    public async Task FactoryOpensSqliteStores()
    {
        await using var store = await StoreFactory.OpenAsync($"{ConnectionString};Synchronous=Full", Time, Ct);

        Assert.IsType<SqliteStore>(store);
        Assert.True(await store.IsReadyAsync(Ct));
    }

    [Fact]
    public async Task OrganizationRecordsItsCreationTimeFromTheClock()
    {
        await using (var store = await SqliteStore.OpenAsync(ConnectionString, Time, Ct))
        {
            Time.Advance(TimeSpan.FromSeconds(42));
            await store.EnsureOrganizationAsync("acme", Ct);
        }

        Assert.Equal(1_700_000_042, Assert.Single(Query<long>("SELECT created_at FROM organizations")));
    }

    [Fact]
    public async Task DisposedStoreRefusesWrites()
    {
        var store = await SqliteStore.OpenAsync(ConnectionString, Time, Ct);
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AppendAsync(1, [Some.Change()], Ct));
    }

    private List<T> Query<T>(string sql)
    {
        using var connection = new SqliteConnection($"{ConnectionString};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(reader.GetFieldValue<T>(0));
        }

        return rows;
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"{ConnectionString};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
