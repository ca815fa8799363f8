using Dapper;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Stride.Core.Events;
using Stride.Core.Metrics;
using Stride.Storage.Postgres;
using Stride.Storage.Sqlite;
using Stride.Storage.Tests.Golden;
using Stride.Storage.Tests.Sqlite;

namespace Stride.Storage.Tests.Postgres;

public sealed class PostgresEventStoreContractTests : EventStoreContractTests<PostgresStoreProvider>;

public sealed class PostgresGoldenStoreTests : GoldenStoreTests<PostgresStoreProvider>;

/// <summary>
/// What the PostgreSQL event writer does beyond the contract: commit chains (as <see cref="CommitChainStoreTests"/>
/// does for SQLite, and against the SQLite store itself on random streams), and requests of several
/// systems at once from many nodes.
/// </summary>
public sealed class PostgresEventWriterTests : FreshDatabaseTests
{
    private const string Zeros = "0000000000000000000000000000000000000000";

    [Fact]
    public async Task PushesSentWithTheDeploymentInOneRequestAreItsChain()
    {
        await using var store = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var org = await store.EnsureOrganizationAsync("acme", Ct);

        // The deployment comes first in the list: pushes are applied before deployments, as changes are.
        var stored = await store.AppendAsync(org, [Some.Deployment("v1", commit: "b"), Push("b", "a", "b"), Push("a", null, "a")], Ct);

        Assert.Equal(1, stored);   // pushes are not counted
        Assert.Equal(["a", "b"], await ChangesAsync("v1"));
    }

    [Fact]
    public async Task AChainThatLoopsEndsAndAFailedDeploymentIsNoStop()
    {
        await using var store = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var org = await store.EnsureOrganizationAsync("acme", Ct);

        // A force-push back to an old head: a → b → a.
        await store.AppendAsync(org, [Push("b", "a", "b"), Push("a", "b", "a")], Ct);
        await store.AppendAsync(org, [Some.Deployment("v0", 1_000, commit: "a", result: DeploymentResult.Failure)], Ct);
        await store.AppendAsync(org, [Some.Deployment("v1", 2_000, commit: "b")], Ct);
        await store.AppendAsync(org, [Some.Deployment("v2", 3_000, commit: "b", changes: ["x"])], Ct);

        Assert.Equal(["a", "b"], await ChangesAsync("v1"));
        Assert.Equal(["x"], await ChangesAsync("v2"));
        Assert.Equal(["a", "b"], (await ChangesAsync("v0")).Order(StringComparer.Ordinal));   // no earlier deployment: the whole loop once
    }

    [Fact]
    public async Task ADeploymentListedEarlierInTheRequestIsTheStopOfALaterOne()
    {
        await using var store = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var org = await store.EnsureOrganizationAsync("acme", Ct);
        await store.AppendAsync(org, [Push("a2", Zeros, "a1", "a2"), Push("b1", "a2", "b1"), Push("c2", "b1", "c1", "c2")], Ct);

        await store.AppendAsync(org, [Some.Deployment("d1", 1_000, commit: "a2"), Some.Deployment("d2", 2_000, commit: "c2")], Ct);

        Assert.Equal(["a1", "a2"], await ChangesAsync("d1"));
        Assert.Equal(["b1", "c1", "c2"], await ChangesAsync("d2"));
    }

    [Fact]
    public async Task PushesDeliveredAfterTheDeploymentAndOutOfOrderWalkItsChainAgain()
    {
        await using var store = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var org = await store.EnsureOrganizationAsync("acme", Ct);
        await store.AppendAsync(org, [Push("a2", Zeros, "a1", "a2"), Some.Deployment("d1", 1_000, commit: "a2")], Ct);

        await store.AppendAsync(org, [Some.Deployment("d2", 2_000, commit: "c2")], Ct);
        Assert.Empty(await ChangesAsync("d2"));

        await store.AppendAsync(org, [Push("c2", "b1", "c1", "c2")], Ct);
        Assert.Equal(["c1", "c2"], await ChangesAsync("d2"));

        // The walk now stops at d1's commit, as if the pushes had come first; the lead times follow.
        await store.AppendAsync(org, [Push("b1", "a2", "b1"), Some.Change("b1", 500), Some.Change("c1", 600)], Ct);
        Assert.Equal(["b1", "c1", "c2"], await ChangesAsync("d2"));
        Assert.Equal(
            [new LeadTimeFact(1_000, null), new LeadTimeFact(1_000, null), new LeadTimeFact(2_000, null), new LeadTimeFact(2_000, 500), new LeadTimeFact(2_000, 600)],
            (await store.ReadFactsAsync(org, 0, 10_000, EnvironmentName.Production, [], Ct)).LeadTimes.OrderBy(l => l.DeployedAt).ThenBy(l => l.ChangedAt));
    }

    [Fact]
    public async Task RequestsOfOverlappingSystemsInEveryOrderNeitherDeadlockNorLoseAnything()
    {
        await using var store = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var org = await store.EnsureOrganizationAsync("acme", Ct);
        string[] systems = ["api", "web", "db", "queue"];

        // Each request touches several systems, listed in its own order, with incidents on all of them.
        var requests = Enumerable.Range(0, 120).Select(r => Task.Run(
            () => store.AppendAsync(
                org,
                [
                    .. Enumerable.Range(0, 4).SelectMany(k => new Event[]
                    {
                        Some.Deployment($"v{r}", 1_000 + r, [$"c{r}"], system: systems[(r + k) % 4]),
                        Some.Incident($"i{r}", created: 1_000 + r, resolved: 2_000 + r, system: systems[(r + (3 * k)) % 4]),
                    }),
                ],
                Ct),
            Ct));
        var stored = await Task.WhenAll(requests);

        Assert.All(stored, s => Assert.Equal(8, s));
        var facts = await store.ReadFactsAsync(org, 0, 10_000, EnvironmentName.Production, [], Ct);
        Assert.Equal(480, facts.Deployments.Count);
        Assert.Equal(480, facts.LeadTimes.Count);
        Assert.Equal(480, facts.Incidents.Count);

        // Every incident goes to the latest deployment of its system at or before its creation: its own request's.
        Assert.All(facts.Incidents, i => Assert.Equal(i.Created, i.DeployedAt));
        Assert.All(facts.Deployments, d => Assert.True(d.Failed));
    }

    [Fact]
    public async Task ARequestWithAKeyStoredAlreadyIsStoredWholeOnceItsInsertsAsNewFail()
    {
        await using var store = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var org = await store.EnsureOrganizationAsync("acme", Ct);
        await store.AppendAsync(org, [Some.Change("c1", 2_000), Some.Deployment("v1", 3_000, ["c1"])], Ct);

        // A new deployment listed before and after a stored one: the insert as new fails part-way.
        await store.AppendAsync(org, [Some.Change("c0", 1_500), Some.Change("c1", 1_000), Some.Change("c2", 2_500), Some.Deployment("v2", 3_500, ["c2"])], Ct);
        await store.AppendAsync(org, [Some.Deployment("v0", 2_900, ["c0"]), Some.Deployment("v1", 3_000, ["c1"], DeploymentResult.Failure)], Ct);
        await store.AppendAsync(org, [Some.Change("c1", 1_200), Some.Change("c3", 3_000)], Ct);   // not earlier: c1 keeps 1,000

        await using var connection = new NpgsqlConnection(ConnectionString);
        Assert.Equal(
            ["v0 2900 0 [\"c0\"]", "v1 3000 1 [\"c1\"]", "v2 3500 0 [\"c2\"]"],
            await connection.QueryAsync<string>("SELECT id || ' ' || ts || ' ' || result || ' ' || changes::text FROM deployments ORDER BY id"));

        // One row a request, none of a rolled-back insert; the changes are in the rows that hold them only.
        Assert.Equal(
            ["true", "true", "false", "true"],
            await connection.QueryAsync<string>("SELECT holds_changes::text FROM event_feed ORDER BY xid"));
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM changes"));

        // A node reading the feed and one building its index from the tables and the feed agree.
        await using var fresh = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var everything = new ListQuery(0, 10_000, EnvironmentName.Production, [], 100, null);
        Assert.Equal(
            ["c0 1500", "c1 1000", "c2 2500", "c3 3000"],
            (await fresh.ListChangesAsync(org, everything, Ct)).Items.Select(c => $"{c.Identifier} {c.Timestamp}").Order());
        Assert.Equal(
            (await store.ListChangesAsync(org, everything, Ct)).Items,
            (await fresh.ListChangesAsync(org, everything, Ct)).Items);
        var facts = await store.ReadFactsAsync(org, 0, 10_000, EnvironmentName.Production, [], Ct);
        Assert.Equal([new LeadTimeFact(2_900, 1_500), new LeadTimeFact(3_500, 2_500)], facts.LeadTimes.OrderBy(l => l.DeployedAt));
        Assert.Equal(
            facts.LeadTimes.OrderBy(l => l.DeployedAt),
            (await fresh.ReadFactsAsync(org, 0, 10_000, EnvironmentName.Production, [], Ct)).LeadTimes.OrderBy(l => l.DeployedAt));
    }

    [Fact]
    public async Task ALargeFirstRequestGivesTheLedgersFacts()
    {
        await using var store = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var org = await store.EnsureOrganizationAsync("acme", Ct);
        var random = new Random(42);
        var stream = new List<Event>();
        for (var i = 0; i < 6_000; i++)
        {
            var system = RandomEvents.Systems[random.Next(RandomEvents.Systems.Length)];
            var ts = RandomEvents.Start + (random.Next(0, 200) * 250);
            stream.Add((i % 3) switch
            {
                0 => new Change(system, $"c{random.Next(3_000)}", ts),
                1 => new Deployment(
                    system, $"d{random.Next(2_500)}", ts, RandomEvents.Environments[random.Next(2)],
                    random.NextDouble() < 0.8 ? DeploymentResult.Success : DeploymentResult.Failure,
                    [$"c{random.Next(3_000)}", $"c{random.Next(3_000)}"], [], null, random.NextDouble() < 0.2),
                _ => new Incident(
                    system, $"i{random.Next(1_500)}", ts, random.NextDouble() < 0.4 ? null : ts + random.Next(0, 20_000),
                    random.NextDouble() < 0.6 ? null : $"d{random.Next(2_600)}"),
            });
        }
        var ledger = new Ledger();
        foreach (var e in stream)
        {
            ledger.Apply(e);
        }

        // Large enough to take the path that gathers statistics on a new database first.
        Assert.Equal(stream.Count, await store.AppendAsync(org, stream, Ct));

        foreach (var (from, to) in RandomEvents.Windows(random))
        {
            foreach (var env in RandomEvents.Environments)
            {
                foreach (var systems in RandomEvents.SystemFilters)
                {
                    var expected = ledger.Facts(from, to, env, systems);
                    var actual = await store.ReadFactsAsync(org, from, to, env, systems, Ct);
                    Assert.Equal(
                        expected.Deployments.OrderBy(d => d.Timestamp).ThenBy(d => d.Rework).ThenBy(d => d.Failed),
                        actual.Deployments.OrderBy(d => d.Timestamp).ThenBy(d => d.Rework).ThenBy(d => d.Failed));
                    Assert.Equal(expected.LeadTimes.OrderBy(l => l.DeployedAt).ThenBy(l => l.ChangedAt), actual.LeadTimes.OrderBy(l => l.DeployedAt).ThenBy(l => l.ChangedAt));
                    Assert.Equal(
                        expected.Incidents.OrderBy(i => i.Created).ThenBy(i => i.Resolved).ThenBy(i => i.DeployedAt),
                        actual.Incidents.OrderBy(i => i.Created).ThenBy(i => i.Resolved).ThenBy(i => i.DeployedAt));
                }
            }
        }
    }

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 8)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RandomStreamsWithCommitChainsStoreWhatTheSqliteStoreStores(int seed)
    {
        var sqlitePath = SqliteStoreProvider.NewDatabasePath();
        try
        {
            await using var sqlite = await SqliteStore.OpenAsync($"Data Source={sqlitePath}", Time, Ct);
            await using var postgres = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
            var sqliteOrg = await sqlite.EnsureOrganizationAsync("acme", Ct);
            var postgresOrg = await postgres.EnsureOrganizationAsync("acme", Ct);
            var random = new Random(seed);
            var stream = ChainStream(random, 500);

            var position = 0;
            var gapsSeen = 0L;
            while (position < stream.Count)
            {
                var batch = stream.Skip(position).Take(random.Next(1, 40)).ToList();
                Assert.Equal(await sqlite.AppendAsync(sqliteOrg, batch, Ct), await postgres.AppendAsync(postgresOrg, batch, Ct));
                position += batch.Count;
                gapsSeen = Math.Max(gapsSeen, (await ChainCountsAsync()).Gaps);
            }

            Assert.Equal(SqliteDeployments(sqlitePath), await PostgresDeploymentsAsync());
            var walked = (await ChainCountsAsync()).Walked;
            Assert.True(gapsSeen > 0 && walked > 0, $"the stream must exercise chains: {gapsSeen} gaps, {walked} walked");
            foreach (var (from, to) in RandomEvents.Windows(random))
            {
                foreach (var env in RandomEvents.Environments)
                {
                    var expected = await sqlite.ReadFactsAsync(sqliteOrg, from, to, env, [], Ct);
                    var actual = await postgres.ReadFactsAsync(postgresOrg, from, to, env, [], Ct);
                    Assert.Equal(
                        expected.Deployments.OrderBy(d => d.Timestamp).ThenBy(d => d.Rework).ThenBy(d => d.Failed),
                        actual.Deployments.OrderBy(d => d.Timestamp).ThenBy(d => d.Rework).ThenBy(d => d.Failed));
                    Assert.Equal(expected.LeadTimes.OrderBy(l => l.DeployedAt).ThenBy(l => l.ChangedAt), actual.LeadTimes.OrderBy(l => l.DeployedAt).ThenBy(l => l.ChangedAt));
                    Assert.Equal(
                        expected.Incidents.OrderBy(i => i.Created).ThenBy(i => i.Resolved).ThenBy(i => i.DeployedAt),
                        actual.Incidents.OrderBy(i => i.Created).ThenBy(i => i.Resolved).ThenBy(i => i.DeployedAt));
                }
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            SqliteStoreProvider.DeleteDatabase(sqlitePath);
        }
    }

    /// <summary>
    /// Pushes along a few branches of two systems (force-pushes, branches created, deliveries out of
    /// order and again), deployments naming a commit (pushed or not yet), re-pushed, of any result, plus
    /// changes and incidents.
    /// </summary>
    private static List<Event> ChainStream(Random random, int count)
    {
        string[] systems = ["a", "b"];
        var heads = systems.ToDictionary(s => s, _ => new List<string>());
        var commits = systems.ToDictionary(s => s, _ => new List<string>());
        var events = new List<Event>();
        var next = 0;
        for (var i = 0; i < count; i++)
        {
            var system = systems[random.Next(systems.Length)];
            var roll = random.NextDouble();
            if (roll < 0.4)
            {
                // A push onto the latest head, an older head (force-push) or a new branch.
                var known = heads[system];
                var before = known.Count == 0 || random.NextDouble() < 0.1
                    ? (random.NextDouble() < 0.5 ? Zeros : null)
                    : known[random.NextDouble() < 0.8 ? known.Count - 1 : random.Next(known.Count)];
                var brought = Enumerable.Range(0, random.Next(0, 4)).Select(_ => $"{system}{next++}").ToList();
                var after = brought.Count > 0 && random.NextDouble() < 0.9 ? brought[^1] : $"{system}{next++}";
                known.Add(after);
                commits[system].AddRange(brought);
                commits[system].Add(after);
                events.Add(new Push(system, after, before, brought));
            }
            else if (roll < 0.75)
            {
                // Sometimes a commit not pushed yet (its push may come later), sometimes listed changes.
                var pool = commits[system];
                var commit = pool.Count == 0 || random.NextDouble() < 0.1 ? $"{system}{next + random.Next(5)}" : pool[random.Next(pool.Count)];
                string[] changes = random.NextDouble() < 0.2 ? [$"{system}{random.Next(Math.Max(1, next))}"] : [];
                events.Add(new Deployment(
                    system, $"d{random.Next(12)}", 10_000 + (random.Next(0, 80) * 250), random.NextDouble() < 0.8 ? EnvironmentName.Production : "staging",
                    random.NextDouble() < 0.8 ? DeploymentResult.Success : DeploymentResult.Failure, changes, [], commit, random.NextDouble() < 0.2));
            }
            else if (roll < 0.9)
            {
                events.Add(new Change(system, $"{system}{random.Next(Math.Max(1, next))}", 5_000 + (random.Next(0, 80) * 250)));
            }
            else
            {
                var created = 10_000 + (random.Next(0, 80) * 250);
                events.Add(new Incident(
                    system, $"i{random.Next(8)}", created, random.NextDouble() < 0.5 ? null : created + random.Next(0, 5_000),
                    random.NextDouble() < 0.5 ? null : $"d{random.Next(12)}"));
            }
        }

        // Deliveries out of order: some events move later, some pushes come again.
        for (var i = 0; i < count / 5; i++)
        {
            var from = random.Next(events.Count);
            var to = Math.Min(events.Count - 1, from + random.Next(1, 30));
            (events[from], events[to]) = (events[to], events[from]);
            if (events[from] is Push again && random.NextDouble() < 0.3)
            {
                events.Insert(Math.Min(events.Count, from + random.Next(1, 60)), again);
            }
        }

        return events;
    }

    private static Push Push(string after, string? before, params string[] commits) => new(Some.System, after, before, commits);

    /// <summary>The changes stored for a deployment, as listed.</summary>
    private async Task<List<string>> ChangesAsync(string deployment)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT changes::text FROM deployments WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", deployment);
        return JsonSerializer.Deserialize<List<string>>((string)(await command.ExecuteScalarAsync(Ct))!)!;
    }

    /// <summary>How many stored deployments wait at a chain gap, and how many took changes from their chain.</summary>
    private async Task<(long Gaps, long Walked)> ChainCountsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*) FILTER (WHERE chain_gap IS NOT NULL),
                   count(*) FILTER (WHERE commit_sha IS NOT NULL AND json_array_length(changes) > 1)
            FROM deployments
            """,
            connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Every stored deployment with its changes and chain gap, in one text per row.</summary>
    private async Task<List<string>> PostgresDeploymentsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "SELECT system, env, id, ts, result, rework, changes::text, chain_gap FROM deployments", connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add(Row(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt16(4), reader.GetBoolean(5),
                reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return [.. rows.Order(StringComparer.Ordinal)];
    }

    private static List<string> SqliteDeployments(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT system, env, id, ts, result, rework, changes, chain_gap FROM deployments";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(Row(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt16(4), reader.GetInt64(5) != 0,
                reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return [.. rows.Order(StringComparer.Ordinal)];
    }

    // The deployments' failures (attributed incidents) are compared through the window facts below.
    private static string Row(string system, string env, string id, long ts, short result, bool rework, string changes, string? gap)
        => $"{system} {env} {id} {ts} {result} {rework} [{string.Join(',', JsonSerializer.Deserialize<List<string>>(changes)!)}] {gap}";
}
