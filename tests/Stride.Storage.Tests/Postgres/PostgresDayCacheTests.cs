using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Stride.Core.Events;
using Stride.Core.Metrics;
using Stride.Storage.Postgres;

namespace Stride.Storage.Tests.Postgres;

/// <summary>
/// The whole days a node keeps between reads of all systems (PostgresStore.Days.cs): two stores on one
/// database, as two nodes, one writing and one reading.
/// </summary>
public sealed class PostgresDayCacheTests : FreshDatabaseTests
{
    private const long Day = 86_400;

    // Ten whole days and part of an eleventh.
    private const long From = Day * 10;
    private const long To = Day * 20 + 3_600;

    [Fact]
    public async Task EveryKindOfWriteToAPastDayThroughOneNodeIsSeenAtOnceByAnotherThatKeptTheDay()
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
        var seen = await AssertReadByDayAsTheTablesSayAsync(reader, org);

        // Each write changes facts of days before the window's last; the reader keeps those days.
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
            var now = await AssertReadByDayAsTheTablesSayAsync(reader, org);
            Assert.NotEqual(seen, now);   // each write changed the metrics
            seen = now;
        }
    }

    [Fact]
    public async Task KeptDaysAreReadAgainOnlyOnceAWriteNotesThem()
    {
        await using var writer = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        await using var reader = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var org = await writer.EnsureOrganizationAsync("acme", Ct);
        await writer.AppendAsync(org, [Some.Deployment("v1", Day * 11 + 100), Some.Deployment("v2", Day * 11 + 200)], Ct);
        var kept = await AssertReadByDayAsTheTablesSayAsync(reader, org);

        // A row changed behind the triggers' back (replica mode skips them): the reader's kept day
        // does not know of it, which shows that the day was kept and not read again.
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var update = new NpgsqlCommand("SET session_replication_role = replica; UPDATE deployments SET rework = true WHERE id = 'v1'", connection);
            await update.ExecuteNonQueryAsync(Ct);
        }

        Assert.Equal(kept, await MetricsAsync(reader, org, byDay: true));
        Assert.NotEqual(kept, await MetricsAsync(reader, org, byDay: false));

        // A write on that day notes it, so the next read reads the day again, with both changes.
        await writer.AppendAsync(org, [Some.Deployment("v3", Day * 11 + 300)], Ct);
        await AssertReadByDayAsTheTablesSayAsync(reader, org);
    }

    [Fact]
    public async Task ReadsSideBySideKeepTheirDaysTogetherAndStillSeeTheNextWrite()
    {
        await using var writer = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        await using var reader = await PostgresStore.OpenAsync(ConnectionString, Time, Ct);
        var org = await writer.EnsureOrganizationAsync("acme", Ct);
        await writer.AppendAsync(org, [Some.Change("c1", Day * 10), Some.Deployment("v1", Day * 11, ["c1"]), Some.Deployment("v2", Day * 15)], Ct);

        // Windows read at once, as a metrics request reads its window and the previous one: each read
        // gives back its days to what the node keeps, and the later ones merge with the earlier.
        (long From, long To)[] windows = [(Day * 10, Day * 14), (Day * 12, Day * 18), (Day * 9, To), (From, To), (Day * 14, Day * 16)];
        async Task<MetricsReport[]> ReadAllAsync(bool byDay) => await Task.WhenAll(windows.Select(async w =>
        {
            var facts = byDay
                ? await reader.ReadFactsByDayAsync(org, w.From, w.To, EnvironmentName.Production, [], Ct)
                : await reader.ReadFactsAsync(org, w.From, w.To, EnvironmentName.Production, [], Ct);
            return MetricsEngine.Prepare(facts).Compute(w.From, w.To, Benchmark.Dora2023);
        }));

        for (var round = 0; round < 3; round++)
        {
            Assert.Equal(await ReadAllAsync(byDay: false), await ReadAllAsync(byDay: true));
        }

        await writer.AppendAsync(org, [Some.Deployment("v3", Day * 13, ["c1"]), Some.Deployment("v1", Day * 11, ["c1"], DeploymentResult.Failure)], Ct);
        Assert.Equal(await ReadAllAsync(byDay: false), await ReadAllAsync(byDay: true));
    }

    /// <summary>
    /// The metrics of both environments, and of one system, read by day and read plainly (no day kept),
    /// are the same; returns them.
    /// </summary>
    private static async Task<Seen> AssertReadByDayAsTheTablesSayAsync(PostgresStore store, long org)
    {
        var byDay = await MetricsAsync(store, org, byDay: true);
        Assert.Equal(await MetricsAsync(store, org, byDay: false), byDay);
        return byDay;
    }

    private static async Task<Seen> MetricsAsync(PostgresStore store, long org, bool byDay)
    {
        async Task<MetricsReport> ReadAsync(string env, string[]? systems = null)
        {
            var facts = byDay
                ? await store.ReadFactsByDayAsync(org, From, To, env, systems ?? [], Ct)
                : await store.ReadFactsAsync(org, From, To, env, systems ?? [], Ct);
            Assert.True(!byDay || env != EnvironmentName.Production || facts.Days.Count > 0, "production's days come summarized");
            return MetricsEngine.Prepare(facts).Compute(From, To, Benchmark.Dora2023);
        }

        return new Seen(await ReadAsync(EnvironmentName.Production), await ReadAsync("staging"), await ReadAsync(EnvironmentName.Production, [Some.System]));
    }

    private sealed record Seen(MetricsReport Production, MetricsReport Staging, MetricsReport OneSystem);
}
