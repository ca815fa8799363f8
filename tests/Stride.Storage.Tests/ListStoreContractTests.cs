using Microsoft.Extensions.Time.Testing;
using Stride.Core.Events;

namespace Stride.Storage.Tests;

/// <summary>
/// The lists, the deployment page and the lookups of <see cref="IEventStore"/>: order, filters and
/// keyset paging, for every provider (STYLE T5).
/// </summary>
public abstract class ListStoreContractTests<TProvider>
    where TProvider : StoreProvider, new()
{
    private const string Production = EnvironmentName.Production;
    private const string Staging = "staging";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // --- deployments ----------------------------------------------------------------------------

    [Fact]
    public async Task DeploymentsAreListedNewestFirstWithTiesInOrdinalOrderOfSystemThenIdentifier()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        // At 2 000, three systems and two identifiers that a linguistic order would sort the other way
        // round ("Web" before "api", "B" before "a" in ordinal order).
        await AppendAsync(
            store,
            org,
            Some.Deployment("v1", 1_000),
            Some.Deployment("v2", 2_000),
            Some.Deployment("a", 2_000, system: "web"),
            Some.Deployment("B", 2_000, system: "web"),
            Some.Deployment("w1", 2_000, system: "Web"),
            Some.Deployment("v3", 3_000));

        var page = await store.Events.ListDeploymentsAsync(org, Query(), Ct);

        Assert.Equal(["api/v3", "web/a", "web/B", "api/v2", "Web/w1", "api/v1"], page.Items.Select(Key));
        Assert.Null(page.Next);
    }

    [Fact]
    public async Task DeploymentsOfAnyResultAreListedInTheirEnvironmentAndWindowOnly()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        var other = await store.Keys.EnsureOrganizationAsync("umbrella", Ct);
        await AppendAsync(
            store,
            org,
            Some.Deployment("before", 999),
            Some.Deployment("first", 1_000, result: DeploymentResult.Failure),
            Some.Deployment("middle", 1_500, result: DeploymentResult.Aborted),
            Some.Deployment("staged", 1_500, environment: Staging),
            Some.Deployment("at-end", 2_000));
        await AppendAsync(store, other, Some.Deployment("theirs", 1_500));

        var page = await store.Events.ListDeploymentsAsync(org, Query(from: 1_000, to: 2_000), Ct);

        Assert.Equal(["api/middle", "api/first"], page.Items.Select(Key));
        Assert.Equal([DeploymentResult.Aborted, DeploymentResult.Failure], page.Items.Select(d => d.Result));
        Assert.All(page.Items, d => Assert.Equal(Production, d.Environment));
        Assert.Equal(["api/staged"], (await store.Events.ListDeploymentsAsync(org, Query(environment: Staging), Ct)).Items.Select(Key));
    }

    [Fact]
    public async Task DeploymentRowShowsItsCommitTeamsChangesMedianLeadTimeAndIncidents()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await SeedDeploymentWithChangesAndIncidentsAsync(store, org);

        var rows = (await store.Events.ListDeploymentsAsync(org, Query(), Ct)).Items.ToDictionary(d => d.Identifier);

        var v1 = rows["v1"];
        Assert.Equal("abc123", v1.Commit);
        Assert.True(v1.Rework);
        Assert.Equal(4, v1.Changes);
        Assert.Equal(["core", "ops"], v1.Teams);
        // c1 (1 000 s) and c2 (600 s): c3 was first shipped by v0 and "never" has no time.
        Assert.Equal(800d, v1.MedianLeadTimeSeconds);
        Assert.Equal(["INC-1", "INC-2"], v1.Incidents);

        var v0 = rows["v0"];
        Assert.Null(v0.Commit);
        Assert.False(v0.Rework);
        Assert.Equal(1, v0.Changes);
        Assert.Equal(300d, v0.MedianLeadTimeSeconds);
        Assert.Empty(v0.Teams);
        Assert.Empty(v0.Incidents);

        var failed = rows["broken"];
        Assert.Null(failed.MedianLeadTimeSeconds);
        Assert.Empty(failed.Incidents);
    }

    [Fact]
    public async Task DeploymentPagesTogetherHoldEveryRowOnceWhateverTheLimit()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        // Ties on time across systems and identifiers, so that a cursor on time alone would lose or repeat rows.
        await AppendAsync(
            store,
            org,
            Some.Deployment("v1", 1_000),
            Some.Deployment("v2", 1_000),
            Some.Deployment("v3", 1_000),
            Some.Deployment("v1", 1_000, system: "web"),
            Some.Deployment("v2", 1_000, system: "web"),
            Some.Deployment("v4", 2_000),
            Some.Deployment("v0", 500, system: "web"));
        var all = (await store.Events.ListDeploymentsAsync(org, Query(), Ct)).Items.Select(Key).ToList();
        Assert.Equal(7, all.Count);

        foreach (var limit in new[] { 1, 2, 3, 6, 7, 8 })
        {
            var pages = await PagesAsync(after => store.Events.ListDeploymentsAsync(org, Query(limit: limit, after: after), Ct));

            Assert.Equal(all, pages.SelectMany(p => p).Select(Key));
            Assert.All(pages.SkipLast(1), p => Assert.Equal(limit, p.Count));
        }
    }

    [Fact]
    public async Task FullLastPageIsFollowedByAnEmptyOne()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(store, org, Some.Deployment("v1", 1_000), Some.Deployment("v2", 2_000));

        var first = await store.Events.ListDeploymentsAsync(org, Query(limit: 2), Ct);
        var second = await store.Events.ListDeploymentsAsync(org, Query(limit: 2, after: first.Next), Ct);

        Assert.Equal(new ListPosition(1_000, Some.System, "v1"), first.Next);
        Assert.Empty(second.Items);
        Assert.Null(second.Next);
    }

    [Fact]
    public async Task SystemFilterKeepsOnlyTheNamedSystemsInEveryList()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        foreach (var system in new[] { "api", "web", "db" })
        {
            await AppendAsync(
                store,
                org,
                Some.Change("c1", 1_000, system),
                Some.Deployment("v1", 2_000, ["c1"], system: system),
                Some.Incident("INC-1", 3_000, system: system));
        }

        var query = Query(systems: ["db", "api"]);

        Assert.Equal(["db/v1", "api/v1"], (await store.Events.ListDeploymentsAsync(org, query, Ct)).Items.Select(Key));
        Assert.Equal(["db", "api"], (await store.Events.ListIncidentsAsync(org, query, Ct)).Items.Select(i => i.System));
        Assert.Equal(["db", "api"], (await store.Events.ListChangesAsync(org, query, Ct)).Items.Select(c => c.System));
        Assert.Equal(["web"], (await store.Events.ListChangesAsync(org, Query(systems: ["web"]), Ct)).Items.Select(c => c.System));
    }

    // --- incidents ------------------------------------------------------------------------------

    [Fact]
    public async Task IncidentsAreListedNewestFirstWithTheirAttributionInTheQueriedEnvironment()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(
            store,
            org,
            Some.Deployment("v1", 1_000),
            Some.Deployment("s1", 1_100, environment: Staging),
            Some.Incident("INC-2", 500),
            Some.Incident("INC-1", 1_200, resolved: 1_300, deployment: "v1"),
            Some.Incident("INC-3", 1_200, system: "web"));

        var production = (await store.Events.ListIncidentsAsync(org, Query(), Ct)).Items;
        var staging = (await store.Events.ListIncidentsAsync(org, Query(environment: Staging), Ct)).Items;

        Assert.Equal(
            [
                new IncidentRow("web", "INC-3", 1_200, null, null, null),
                new IncidentRow("api", "INC-1", 1_200, 1_300, "v1", "v1"),
                new IncidentRow("api", "INC-2", 500, null, null, null),
            ],
            production);
        Assert.Equal([null, "s1", null], staging.Select(i => i.AttributedDeployment));
    }

    [Fact]
    public async Task IncidentsAreListedByCreationInTheWindowAndPagedWithoutLossOrRepeat()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(
            store,
            org,
            Some.Incident("INC-0", 999),
            Some.Incident("INC-1", 1_000),
            Some.Incident("INC-2", 1_500),
            Some.Incident("INC-3", 1_500),
            Some.Incident("INC-1", 1_500, system: "web"),
            Some.Incident("INC-4", 2_000));

        var all = (await store.Events.ListIncidentsAsync(org, Query(from: 1_000, to: 2_000), Ct)).Items;
        var pages = await PagesAsync(after => store.Events.ListIncidentsAsync(org, Query(from: 1_000, to: 2_000, limit: 2, after: after), Ct));

        Assert.Equal(["web/INC-1", "api/INC-3", "api/INC-2", "api/INC-1"], all.Select(i => $"{i.System}/{i.Identifier}"));
        Assert.Equal(all, pages.SelectMany(p => p));
        Assert.Equal([2, 2, 0], pages.Select(p => p.Count));
    }

    // --- changes --------------------------------------------------------------------------------

    [Fact]
    public async Task ChangesAreListedNewestFirstWithTheirFirstDeploymentInTheQueriedEnvironment()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(
            store,
            org,
            Some.Change("c1", 1_000),
            Some.Change("c2", 1_000),
            Some.Change("c3", 1_500),
            Some.Deployment("failed", 1_800, ["c1"], result: DeploymentResult.Failure),
            Some.Deployment("v1", 2_000, ["c1"]),
            Some.Deployment("v2", 3_000, ["c1", "c2"]),
            Some.Deployment("s1", 2_500, ["c2"], environment: Staging));

        var production = (await store.Events.ListChangesAsync(org, Query(), Ct)).Items;
        var staging = (await store.Events.ListChangesAsync(org, Query(environment: Staging), Ct)).Items;

        Assert.Equal(
            [
                new ChangeRow("api", "c3", 1_500, null, null, null),
                new ChangeRow("api", "c2", 1_000, "v2", 3_000, 2_000),
                new ChangeRow("api", "c1", 1_000, "v1", 2_000, 1_000),
            ],
            production);
        Assert.Equal(
            [
                new ChangeRow("api", "c3", 1_500, null, null, null),
                new ChangeRow("api", "c2", 1_000, "s1", 2_500, 1_500),
                new ChangeRow("api", "c1", 1_000, null, null, null),
            ],
            staging);
    }

    [Fact]
    public async Task AFirstDeploymentIsTakenOverByALaterRequestsDeploymentOnlyWhenThatComesFirst()
    {
        // Each deployment in a request of its own, as a pipeline sends them: a change's first
        // deployment is the least by (time, identifier) of all that list it, whenever they came.
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(store, org, Some.Change("c1", 1_000), Some.Change("c2", 1_000), Some.Change("c3", 1_000), Some.Change("c4", 1_000));
        await AppendAsync(store, org, Some.Deployment("v5", 2_000, ["c1", "c2", "c3", "c4"]));
        await AppendAsync(store, org, Some.Deployment("v3", 2_000, ["c1"]));            // as early, smaller identifier: takes c1
        await AppendAsync(store, org, Some.Deployment("v7", 2_000, ["c2"]));            // as early, greater identifier: does not
        await AppendAsync(store, org, Some.Deployment("a", 2_001, ["c3"]));             // later: does not
        await AppendAsync(store, org, Some.Deployment("z", 1_999, ["c4"]));             // earlier: takes c4
        await AppendAsync(store, org, Some.Deployment("v1", 1_500, ["c2"], result: DeploymentResult.Failure)); // failed: does not

        var rows = (await store.Events.ListChangesAsync(org, Query(), Ct)).Items.OrderBy(c => c.Identifier, StringComparer.Ordinal);

        Assert.Equal(
            [
                new ChangeRow("api", "c1", 1_000, "v3", 2_000, 1_000),
                new ChangeRow("api", "c2", 1_000, "v5", 2_000, 1_000),
                new ChangeRow("api", "c3", 1_000, "v5", 2_000, 1_000),
                new ChangeRow("api", "c4", 1_000, "z", 1_999, 999),
            ],
            rows);
    }

    [Fact]
    public async Task ChangesAreListedByTimeInTheWindowAndPagedWithoutLossOrRepeat()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(
            store,
            org,
            Some.Change("early", 999),
            Some.Change("c1", 1_000),
            Some.Change("c2", 1_000),
            Some.Change("c1", 1_000, system: "web"),
            Some.Change("c3", 1_999),
            Some.Change("late", 2_000));

        var all = (await store.Events.ListChangesAsync(org, Query(from: 1_000, to: 2_000), Ct)).Items;
        var pages = await PagesAsync(after => store.Events.ListChangesAsync(org, Query(from: 1_000, to: 2_000, limit: 3, after: after), Ct));

        Assert.Equal(["api/c3", "web/c1", "api/c2", "api/c1"], all.Select(c => $"{c.System}/{c.Identifier}"));
        Assert.Equal(all, pages.SelectMany(p => p));
        Assert.Equal([3, 1], pages.Select(p => p.Count));
    }

    // --- systems --------------------------------------------------------------------------------

    [Fact]
    public async Task SystemsAreListedInOrdinalOrderWithTheirSuccessfulDeploymentsInTheEnvironment()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        var other = await store.Keys.EnsureOrganizationAsync("umbrella", Ct);
        await AppendAsync(
            store,
            org,
            Some.Deployment("v1", 1_000),
            Some.Deployment("v2", 3_000),
            Some.Deployment("v3", 4_000, result: DeploymentResult.Failure),
            Some.Deployment("s1", 5_000, system: "Web", environment: Staging),
            Some.Change("c1", 100, system: "db"),
            Some.Incident("INC-1", 200, system: "ops"));
        await AppendAsync(store, other, Some.Deployment("theirs", 1_000, system: "theirs"));

        Assert.Equal(
            [
                new SystemSummary("Web", 0, null),
                new SystemSummary("api", 2, 3_000),
                new SystemSummary("db", 0, null),
                new SystemSummary("ops", 0, null),
            ],
            await store.Events.ListSystemsAsync(org, Production, Ct));
        Assert.Equal(new SystemSummary("Web", 1, 5_000), (await store.Events.ListSystemsAsync(org, Staging, Ct))[0]);
        Assert.Equal(["Web", "api", "db", "ops"], await store.Events.ListSystemNamesAsync(org, Ct));
        Assert.Equal(["theirs"], await store.Events.ListSystemNamesAsync(other, Ct));
    }

    [Fact]
    public async Task NewOrganizationHasNoSystems()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        Assert.Empty(await store.Events.ListSystemsAsync(org, Production, Ct));
        Assert.Empty(await store.Events.ListSystemNamesAsync(org, Ct));
    }

    // --- one deployment, incidents by identifier ------------------------------------------------

    [Fact]
    public async Task DeploymentDetailListsItsChangesInOrderWithLeadTimesWhereItWasFirst()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await SeedDeploymentWithChangesAndIncidentsAsync(store, org);

        var detail = await store.Events.FindDeploymentAsync(org, Some.System, Production, "v1", Ct);

        Assert.NotNull(detail);
        Assert.Equal("v1", detail.Deployment.Identifier);
        Assert.Equal(["INC-1", "INC-2"], detail.Deployment.Incidents);
        Assert.Equal(800d, detail.Deployment.MedianLeadTimeSeconds);
        Assert.Equal(
            [
                new DeploymentChange("c2", 1_400, 600, true),
                new DeploymentChange("c1", 1_000, 1_000, true),
                new DeploymentChange("c3", 1_200, null, false),
                new DeploymentChange("never", null, null, true),
            ],
            detail.Changes);
        Assert.Equal(
            [
                new IncidentRow("api", "INC-1", 2_600, 2_700, "v1", "v1"),
                new IncidentRow("api", "INC-2", 2_500, null, null, "v1"),
            ],
            detail.Incidents);
    }

    [Fact]
    public async Task DeploymentIsFoundOnlyByItsSystemEnvironmentIdentifierAndOrganization()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        var other = await store.Keys.EnsureOrganizationAsync("umbrella", Ct);
        await AppendAsync(store, org, Some.Deployment("v1", 1_000, result: DeploymentResult.Failure));

        var found = await store.Events.FindDeploymentAsync(org, Some.System, Production, "v1", Ct);

        Assert.NotNull(found);
        Assert.Equal(DeploymentResult.Failure, found.Deployment.Result);
        Assert.Empty(found.Changes);
        Assert.Empty(found.Incidents);
        Assert.Null(await store.Events.FindDeploymentAsync(org, Some.System, Staging, "v1", Ct));
        Assert.Null(await store.Events.FindDeploymentAsync(org, "web", Production, "v1", Ct));
        Assert.Null(await store.Events.FindDeploymentAsync(org, Some.System, Production, "V1", Ct));
        Assert.Null(await store.Events.FindDeploymentAsync(other, Some.System, Production, "v1", Ct));
    }

    [Fact]
    public async Task IncidentsAreFoundByIdentifierInEverySystemOfTheOrganization()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        var other = await store.Keys.EnsureOrganizationAsync("umbrella", Ct);
        await AppendAsync(
            store,
            org,
            Some.Incident("INC-1", 1_000, system: "web"),
            Some.Incident("INC-1", 2_000, resolved: 2_500, deployment: "v9"),
            Some.Incident("INC-2", 3_000),
            Some.Incident("inc-1", 3_000));
        await AppendAsync(store, other, Some.Incident("INC-1", 4_000, system: "theirs"));

        Assert.Equal(
            [new Incident("api", "INC-1", 2_000, 2_500, "v9"), new Incident("web", "INC-1", 1_000, null, null)],
            await store.Events.FindIncidentsAsync(org, "INC-1", Ct));
        Assert.Empty(await store.Events.FindIncidentsAsync(org, "INC-9", Ct));
    }

    // --- helpers ---------------------------------------------------------------------------------

    /// <summary>
    /// v0 (1 500) first ships c3; v1 (2 000) lists c2, c1, c3 and a change never pushed, and has two
    /// incidents (one naming it, one attributed by time); a failed deployment at 2 200 comes after it.
    /// </summary>
    private static Task<int> SeedDeploymentWithChangesAndIncidentsAsync(TestStore store, long org) => AppendAsync(
        store,
        org,
        Some.Change("c1", 1_000),
        Some.Change("c2", 1_400),
        Some.Change("c3", 1_200),
        Some.Deployment("v0", 1_500, ["c3"]),
        Some.Deployment("v1", 2_000, ["c2", "c1", "c3", "never"], commit: "abc123", teams: ["core", "ops"], rework: true),
        Some.Deployment("broken", 2_200, ["c4"], result: DeploymentResult.Failure),
        Some.Incident("INC-2", 2_500),
        Some.Incident("INC-1", 2_600, resolved: 2_700, deployment: "v1"));

    private static ListQuery Query(
        long from = 0,
        long to = 1_000_000_000,
        string environment = Production,
        IReadOnlyList<string>? systems = null,
        int limit = 100,
        ListPosition? after = null)
        => new(from, to, environment, systems ?? [], limit, after);

    /// <summary>Reads every page, following <see cref="ListPage{T}.Next"/> until the last one.</summary>
    private static async Task<List<IReadOnlyList<T>>> PagesAsync<T>(Func<ListPosition?, Task<ListPage<T>>> read)
    {
        var pages = new List<IReadOnlyList<T>>();
        ListPosition? after = null;
        do
        {
            var page = await read(after);
            pages.Add(page.Items);
            after = page.Next;
            Assert.True(pages.Count <= 100, "the pages never end");
        }
        while (after is not null);

        return pages;
    }

    private static string Key(DeploymentRow row) => $"{row.System}/{row.Identifier}";

    private static async Task<TestStore> CreateStoreAsync()
    {
        var provider = new TProvider();
        Assert.True(provider.IsAvailable, provider.UnavailableReason);   // never skipped: a missing server fails the run
        return await provider.CreateStoreAsync(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)), Ct);
    }

    private static Task<long> OrganizationAsync(TestStore store) => store.Keys.EnsureOrganizationAsync("acme", Ct);

    private static Task<int> AppendAsync(TestStore store, long org, params Event[] events) => store.Events.AppendAsync(org, events, Ct);
}
