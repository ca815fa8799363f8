using Stride.Storage.Sqlite;

namespace Stride.Storage.Tests.Sqlite;

/// <summary>
/// The SQLite store answers event reads from an index in memory, kept by every commit and built from
/// the tables at open: both ways must give the same answers.
/// </summary>
public sealed class SqliteIndexTests : SqliteFileTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task IndexBuiltAtOpenAnswersAsTheOneKeptByTheWrites(int seed)
    {
        var random = new Random(seed);
        var stream = RandomEvents.Stream(random, count: 800);
        var windows = RandomEvents.Windows(random).ToList();
        long org;
        List<string> before;
        await using (var store = await SqliteStore.OpenAsync(ConnectionString, Time, Ct))
        {
            org = await store.EnsureOrganizationAsync("acme", Ct);
            for (var position = 0; position < stream.Count;)
            {
                var batch = stream.Skip(position).Take(random.Next(1, 60)).ToList();
                await store.AppendAsync(org, batch, Ct);
                position += batch.Count;
            }

            before = await AnswersAsync(store, org, windows);
        }

        await using (var reopened = await SqliteStore.OpenAsync(ConnectionString, Time, Ct))
        {
            var after = await AnswersAsync(reopened, org, windows);
            Assert.True(before.Count > 100, $"the stream must give answers to compare: {before.Count}");
            Assert.Equal(before, after);
        }
    }

    [Fact]
    public async Task OrganizationsAreIndexedApart()
    {
        long acme, globex;
        await using (var store = await SqliteStore.OpenAsync(ConnectionString, Time, Ct))
        {
            acme = await store.EnsureOrganizationAsync("acme", Ct);
            globex = await store.EnsureOrganizationAsync("globex", Ct);
            await store.AppendAsync(acme, [Some.Change("c1", 100), Some.Deployment("v1", 1_000, changes: ["c1"])], Ct);
            await store.AppendAsync(globex, [Some.Deployment("v1", 2_000, changes: ["c1"])], Ct);
        }

        await using var reopened = await SqliteStore.OpenAsync(ConnectionString, Time, Ct);
        var acmeFacts = await reopened.ReadFactsAsync(acme, 0, 10_000, "production", [], Ct);
        var globexFacts = await reopened.ReadFactsAsync(globex, 0, 10_000, "production", [], Ct);
        Assert.Equal([new(1_000, 100)], acmeFacts.LeadTimes);
        Assert.Equal([new(2_000, null)], globexFacts.LeadTimes);
    }

    /// <summary>Every read of the event store over the windows, environments and system filters, as text.</summary>
    private static async Task<List<string>> AnswersAsync(SqliteStore store, long org, List<(long From, long To)> windows)
    {
        var answers = new List<string>();
        foreach (var env in RandomEvents.Environments)
        {
            answers.Add(string.Join(';', await store.ListSystemsAsync(org, env, Ct)));
            foreach (var (from, to) in windows)
            {
                foreach (var systems in RandomEvents.SystemFilters)
                {
                    var facts = await store.ReadFactsAsync(org, from, to, env, systems, Ct);
                    answers.Add(string.Join(';', facts.Deployments.Select(f => f.ToString()).Order(StringComparer.Ordinal)));
                    answers.Add(string.Join(';', facts.LeadTimes.Select(f => f.ToString()).Order(StringComparer.Ordinal)));
                    answers.Add(string.Join(';', facts.Incidents.Select(f => f.ToString()).Order(StringComparer.Ordinal)));
                    var query = new ListQuery(from, to, env, systems, 1_000, null);
                    answers.Add(string.Join(';', (await store.ListDeploymentsAsync(org, query, Ct)).Items.Select(Describe)));
                    answers.Add(string.Join(';', (await store.ListIncidentsAsync(org, query, Ct)).Items));
                    answers.Add(string.Join(';', (await store.ListChangesAsync(org, query, Ct)).Items));
                }
            }
        }

        answers.Add(string.Join(';', await store.ListSystemNamesAsync(org, Ct)));
        return answers;
    }

    private static string Describe(DeploymentRow row)
        => $"{row with { Teams = [], Incidents = [] }} teams {string.Join(',', row.Teams)} incidents {string.Join(',', row.Incidents)}";
}
