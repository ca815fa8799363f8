using Dapper;
using Npgsql;
using Stride.Core.Events;
using Stride.Core.Metrics;
using Stride.Storage.Postgres;

namespace Stride.Storage.Tests.Postgres;

/// <summary>
/// The index each node keeps of an organization (PostgresIndexes), brought up to date from the feed of
/// every node's writes: stores on one database, as nodes, some writing and one reading, each read
/// compared with a store that has just built its index from the tables.
/// </summary>
public sealed class PostgresIndexesTests : FreshDatabaseTests
{
    private const long Day = 86_400;

    private const long From = Day * 10;
    private const long To = Day * 20 + 3_600;

    [Fact]
    public async Task EveryKindOfWriteThroughOneNodeIsSeenAtOnceByAnotherThatKeptItsIndex()
    {
        await using var writer = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        await using var reader = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var org = await writer.EnsureOrganizationAsync("acme", Ct);
        await writer.AppendAsync(org, [
            Some.Change("c1", Day * 10 + 100),
            Some.Deployment("v1", Day * 11 + 100, ["c1"]),
            Some.Change("c2", Day * 12 + 100),
            Some.Deployment("v2", Day * 13 + 100, ["c2"]),
            Some.Incident("INC-1", Day * 14, Day * 15),
            Some.Deployment("s1", Day * 12, environment: "staging"),
        ], Ct);
        var seen = await AssertAsTheTablesSayAsync(reader, org);

        Event[][] writes =
        [
            [Some.Deployment("v0", Day * 11 + 50, ["c1"])],                                     // c1 first deployed earlier
            [Some.Change("c2", Day * 11)],                                                       // c2's own time lowered
            [Some.Deployment("v3", Day * 13 + 200)],                                             // INC-1 now attributed to v3
            [Some.Incident("INC-2", Day * 16)],                                                  // an incident opened
            [Some.Incident("INC-2", Day * 16, Day * 17)],                                        // and resolved
            [Some.Deployment("v1", Day * 11 + 100, ["c1"], DeploymentResult.Failure)],           // v1 failed after all
            [Some.Deployment("s2", Day * 15, environment: "staging", rework: true)],             // another environment
            [Some.Incident("INC-1", Day * 14, Day * 18)],                                        // INC-1 resolved later
            [Some.Deployment("w1", Day * 12, system: "web")],                                    // another system
        ];
        foreach (var write in writes)
        {
            await writer.AppendAsync(org, write, Ct);
            var now = await AssertAsTheTablesSayAsync(reader, org);
            Assert.NotEqual(seen, now);   // each write changed the metrics
            seen = now;
        }
    }

    [Fact]
    public async Task WritesOfTwoNodesToTheSameKeysAreAppliedInTheOrderTheyCommitted()
    {
        await using var first = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        await using var second = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        await using var reader = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var org = await first.EnsureOrganizationAsync("acme", Ct);
        await AssertAsTheTablesSayAsync(reader, org);

        // Each round, both nodes push versions of the same deployment and incident at once, and the
        // reader reads between rounds: only the version committed last may be in its index.
        var random = new Random(7);
        for (var round = 0; round < 12; round++)
        {
            Event[] Version(int node) =>
            [
                Some.Change($"c{round}", Day * 10 + random.Next(3_600)),
                Some.Deployment("v1", Day * 11 + (node * 100), [$"c{round}"], node == 0 ? DeploymentResult.Success : DeploymentResult.Failure),
                Some.Incident("INC-1", Day * 12 + node, round % 3 == node ? Day * 13 : null),
            ];
            var (a, b) = (Version(0), Version(1));
            await Task.WhenAll(first.AppendAsync(org, a, Ct), second.AppendAsync(org, b, Ct));
            await AssertAsTheTablesSayAsync(reader, org);
        }
    }

    [Fact]
    public async Task AnIndexIsBuiltFromTheTablesOnceThenFollowsTheFeedUntilItIsLeftUnreadForHalfAnHour()
    {
        await using var writer = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        await using var reader = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var org = await writer.EnsureOrganizationAsync("acme", Ct);
        await writer.AppendAsync(org, [Some.Deployment("v1", Day * 11 + 100), Some.Deployment("v2", Day * 11 + 200)], Ct);
        var kept = await AssertAsTheTablesSayAsync(reader, org);

        // A row changed behind the stores' back (no feed row): the reader's index does not know of it,
        // which shows that it was kept and not built again.
        await ExecuteAsync("UPDATE deployments SET rework = true WHERE id = 'v1'");
        Assert.Equal(kept, await MetricsAsync(reader, org));
        Assert.NotEqual(kept, await FreshMetricsAsync(org));

        // A write through a store is in the feed: the reader gets it, and still not the change behind its back.
        await writer.AppendAsync(org, [Some.Deployment("v3", Day * 11 + 300)], Ct);
        var caughtUp = await MetricsAsync(reader, org);
        Assert.Equal(3, caughtUp.Production.DeploymentFrequency.Deployments);
        Assert.NotEqual(await FreshMetricsAsync(org), caughtUp);

        // Read again within half an hour, it is still the kept index; after that, it is built again.
        Time.Advance(PostgresIndexes.MaxAge);
        Assert.Equal(caughtUp, await MetricsAsync(reader, org));
        Time.Advance(PostgresIndexes.MaxAge + TimeSpan.FromSeconds(1));
        Assert.Equal(await FreshMetricsAsync(org), await MetricsAsync(reader, org));
    }

    [Fact]
    public async Task ReadsSideBySideShareTheIndexAndStillSeeTheNextWrite()
    {
        await using var writer = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        await using var reader = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var org = await writer.EnsureOrganizationAsync("acme", Ct);
        await writer.AppendAsync(org, [Some.Change("c1", Day * 10), Some.Deployment("v1", Day * 11, ["c1"]), Some.Deployment("v2", Day * 15)], Ct);

        (long From, long To)[] windows = [(Day * 10, Day * 14), (Day * 12, Day * 18), (Day * 9, To), (From, To), (Day * 14, Day * 16)];
        async Task<MetricsReport[]> ReadAllAsync(PostgresStore store) => await Task.WhenAll(windows.Select(async w =>
        {
            var facts = await store.ReadFactsByDayAsync(org, w.From, w.To, EnvironmentName.Production, [], Ct);
            return MetricsEngine.Prepare(facts).Compute(w.From, w.To, Benchmark.Dora2023);
        }));

        for (var round = 0; round < 3; round++)
        {
            await writer.AppendAsync(org, [Some.Deployment($"r{round}", Day * 13, ["c1"])], Ct);
            await using var fresh = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
            Assert.Equal(await ReadAllAsync(fresh), await ReadAllAsync(reader));
        }
    }

    [Fact]
    public async Task TheReadsOfOneRequestShareOneCheckAndTheNextRequestSeesTheWritesBeforeIt()
    {
        await using var writer = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        await using var reader = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var org = await writer.EnsureOrganizationAsync("acme", Ct);
        await writer.AppendAsync(org, [Some.Change("c1", Day * 10), Some.Deployment("v1", Day * 11, ["c1"])], Ct);

        // Four reads one after another, as a page's parts: one check (the build).
        ReadScope.Begin();
        var checks = reader.IndexChecks;
        Assert.Equal(1, (await MetricsAsync(reader, org)).Production.DeploymentFrequency.Deployments);
        Assert.Equal(checks + 1, reader.IndexChecks);

        await writer.AppendAsync(org, [Some.Deployment("v2", Day * 12)], Ct);
        ReadScope.Begin();
        Assert.Equal(2, (await MetricsAsync(reader, org)).Production.DeploymentFrequency.Deployments);
        Assert.Equal(checks + 2, reader.IndexChecks);
    }

    [Fact]
    public async Task FeedRowsOlderThanAnHourAreDeletedByTheNextWriteOfTheMinuteUnlessTheyHoldChanges()
    {
        await using var writer = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var org = await writer.EnsureOrganizationAsync("acme", Ct);
        await writer.AppendAsync(org, [Some.Deployment("v1", Day * 11, ["c1"])], Ct);
        await writer.AppendAsync(org, [Some.Change("c1", Day * 10)], Ct);   // its row is the change's only store
        await ExecuteAsync($"UPDATE event_feed SET at = at - {(long)PostgresIndexes.FeedKept.TotalSeconds + 5}");
        await writer.AppendAsync(org, [Some.Deployment("v2", Day * 12)], Ct);
        Assert.Equal(3L, await CountFeedRowsAsync());   // pruned at most once a minute: the first write did

        Time.Advance(TimeSpan.FromMinutes(1));
        await writer.AppendAsync(org, [Some.Deployment("v3", Day * 13)], Ct);
        Assert.Equal(3L, await CountFeedRowsAsync());   // c1's, v2's and v3's

        await using var fresh = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var facts = await fresh.ReadFactsAsync(org, From, To, EnvironmentName.Production, [], Ct);
        Assert.Equal([new LeadTimeFact(Day * 11, Day * 10)], facts.LeadTimes);
    }

    /// <summary>The store's metrics are those of a store that has just built its index from the tables; returns them.</summary>
    private async Task<Seen> AssertAsTheTablesSayAsync(PostgresStore store, long org)
    {
        var seen = await MetricsAsync(store, org);
        Assert.Equal(await FreshMetricsAsync(org), seen);
        return seen;
    }

    private async Task<Seen> FreshMetricsAsync(long org)
    {
        await using var fresh = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        return await MetricsAsync(fresh, org);
    }

    /// <summary>Production's and staging's metrics, read by day; one system's read plainly; and the list of incidents.</summary>
    private static async Task<Seen> MetricsAsync(PostgresStore store, long org)
    {
        async Task<MetricsReport> ReadAsync(string env, string[]? systems = null)
        {
            var facts = systems is null
                ? await store.ReadFactsByDayAsync(org, From, To, env, [], Ct)
                : await store.ReadFactsAsync(org, From, To, env, systems, Ct);
            return MetricsEngine.Prepare(facts).Compute(From, To, Benchmark.Dora2023);
        }

        var incidents = await store.ListIncidentsAsync(org, new ListQuery(0, To, EnvironmentName.Production, [], 100, null), Ct);
        return new Seen(
            await ReadAsync(EnvironmentName.Production), await ReadAsync("staging"), await ReadAsync(EnvironmentName.Production, [Some.System]),
            string.Join(";", incidents.Items));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.ExecuteAsync(sql);
    }

    private async Task<long> CountFeedRowsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM event_feed");
    }

    private sealed record Seen(MetricsReport Production, MetricsReport Staging, MetricsReport OneSystem, string Incidents);
}
