using Microsoft.Extensions.Time.Testing;
using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Storage.Tests;

/// <summary>
/// What the integrations keep: connections (<see cref="IConnectionStore"/>), webhook secrets and
/// deliveries (<see cref="IWebhookStore"/>) and DevLake issues (<see cref="IIssueStore"/>), for every
/// provider (STYLE T5).
/// </summary>
public abstract class IntegrationStoreContractTests<TProvider>
    where TProvider : StoreProvider, new()
{
    private const long Now = 1_700_000_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // --- connections ----------------------------------------------------------------------------

    [Fact]
    public async Task CreatedConnectionIsFoundWithItsKey()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        var created = await store.Store.CreateConnectionAsync(org, "devlake", NewKey(org, 1), Ct);

        Assert.Equal(new ConnectionRecord(created.Id, org, "devlake", created.KeyId, Now), created);
        Assert.Equal(created, await store.Store.FindConnectionAsync(org, created.Id, Ct));
        var key = await store.Keys.FindKeyAsync(Hash(1), Ct);
        Assert.NotNull(key);
        Assert.Equal((created.KeyId, org), (key.Id, key.Organization));
        Assert.Equal(["devlake:write"], key.Scopes);
    }

    [Fact]
    public async Task ConnectionsAreListedOldestFirstWithinTheirOrganization()
    {
        await using var store = await CreateStoreAsync();
        var acme = await OrganizationAsync(store);
        var umbrella = await store.Keys.EnsureOrganizationAsync("umbrella", Ct);
        var first = await store.Store.CreateConnectionAsync(acme, "first", NewKey(acme, 1), Ct);
        var theirs = await store.Store.CreateConnectionAsync(umbrella, "theirs", NewKey(umbrella, 2), Ct);
        var second = await store.Store.CreateConnectionAsync(acme, "second", NewKey(acme, 3), Ct);

        Assert.Equal([first, second], await store.Store.ListConnectionsAsync(acme, Ct));
        Assert.Equal([theirs], await store.Store.ListConnectionsAsync(umbrella, Ct));
        Assert.Null(await store.Store.FindConnectionAsync(umbrella, first.Id, Ct));
        Assert.Null(await store.Store.FindConnectionAsync(acme, theirs.Id, Ct));
        Assert.Null(await store.Store.FindConnectionAsync(acme, second.Id + 1_000, Ct));
    }

    [Fact]
    public async Task ConnectionWhoseKeyCannotBeStoredIsNotCreated()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        var kept = await store.Store.CreateConnectionAsync(org, "first", NewKey(org, 1), Ct);

        // The same hash again: the key is refused, and the connection must not exist without it.
        await Assert.ThrowsAnyAsync<Exception>(() => store.Store.CreateConnectionAsync(org, "copy", NewKey(org, 1), Ct));

        Assert.Equal([kept], await store.Store.ListConnectionsAsync(org, Ct));
        Assert.Single(await store.Keys.ListKeysAsync(org, Ct));
    }

    // --- webhook secrets ------------------------------------------------------------------------

    [Fact]
    public async Task WebhookSecretIsSetReplacedAndDeleted()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        Assert.Null(await store.Store.FindWebhookSecretAsync(org, "github", Ct));

        await store.Store.SetWebhookSecretAsync(org, "github", "first", Ct);
        Assert.Equal("first", await store.Store.FindWebhookSecretAsync(org, "github", Ct));

        await store.Store.SetWebhookSecretAsync(org, "github", "second", Ct);
        Assert.Equal("second", await store.Store.FindWebhookSecretAsync(org, "github", Ct));

        Assert.Equal(1, await store.Store.DeleteWebhookSecretAsync(org, "github", Ct));
        Assert.Null(await store.Store.FindWebhookSecretAsync(org, "github", Ct));
        Assert.Equal(0, await store.Store.DeleteWebhookSecretAsync(org, "github", Ct));
    }

    [Fact]
    public async Task WebhookSecretsAreKeptPerOrganizationAndProvider()
    {
        await using var store = await CreateStoreAsync();
        var acme = await OrganizationAsync(store);
        var umbrella = await store.Keys.EnsureOrganizationAsync("umbrella", Ct);
        await store.Store.SetWebhookSecretAsync(acme, "github", "acme-github", Ct);
        await store.Store.SetWebhookSecretAsync(acme, "gitlab", "acme-gitlab", Ct);
        await store.Store.SetWebhookSecretAsync(umbrella, "github", "umbrella-github", Ct);

        Assert.Equal(0, await store.Store.DeleteWebhookSecretAsync(umbrella, "gitlab", Ct));
        Assert.Equal(1, await store.Store.DeleteWebhookSecretAsync(acme, "gitlab", Ct));

        Assert.Equal("acme-github", await store.Store.FindWebhookSecretAsync(acme, "github", Ct));
        Assert.Equal("umbrella-github", await store.Store.FindWebhookSecretAsync(umbrella, "github", Ct));
        Assert.Null(await store.Store.FindWebhookSecretAsync(acme, "gitlab", Ct));
        Assert.Null(await store.Store.FindWebhookSecretAsync(umbrella, "pagerduty", Ct));
    }

    // --- webhook deliveries ---------------------------------------------------------------------

    [Fact]
    public async Task DeliveryStoredAgainIsADuplicateAndStoresNothing()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        var first = await store.Store.AppendWebhookDeliveryAsync(org, "github", "d-1", [Some.Change("c1", 1_000), Some.Change("c2", 1_100)], Ct);
        var again = await store.Store.AppendWebhookDeliveryAsync(org, "github", "d-1", [Some.Change("c3", 1_200)], Ct);

        Assert.Equal(new WebhookDeliveryResult(false, 2), first);
        Assert.Equal(new WebhookDeliveryResult(true, 0), again);
        Assert.Equal(["c2", "c1"], await ChangeIdsAsync(store, org));
    }

    [Fact]
    public async Task DeliveryIdsAreKeptPerOrganizationAndProvider()
    {
        await using var store = await CreateStoreAsync();
        var acme = await OrganizationAsync(store);
        var umbrella = await store.Keys.EnsureOrganizationAsync("umbrella", Ct);

        await store.Store.AppendWebhookDeliveryAsync(acme, "github", "d-1", [Some.Change("c1", 1_000)], Ct);
        var otherProvider = await store.Store.AppendWebhookDeliveryAsync(acme, "gitlab", "d-1", [Some.Change("c2", 1_100)], Ct);
        var otherOrganization = await store.Store.AppendWebhookDeliveryAsync(umbrella, "github", "d-1", [Some.Change("c3", 1_200)], Ct);

        Assert.Equal(new WebhookDeliveryResult(false, 1), otherProvider);
        Assert.Equal(new WebhookDeliveryResult(false, 1), otherOrganization);
        Assert.Equal(["c2", "c1"], await ChangeIdsAsync(store, acme));
        Assert.Equal(["c3"], await ChangeIdsAsync(store, umbrella));
    }

    [Fact]
    public async Task DeliveryWithoutAnIdIsStoredEveryTime()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        var first = await store.Store.AppendWebhookDeliveryAsync(org, "github", null, [Some.Change("c1", 1_000)], Ct);
        var second = await store.Store.AppendWebhookDeliveryAsync(org, "github", null, [Some.Change("c2", 1_100)], Ct);

        Assert.Equal(new WebhookDeliveryResult(false, 1), first);
        Assert.Equal(new WebhookDeliveryResult(false, 1), second);
        Assert.Equal(["c2", "c1"], await ChangeIdsAsync(store, org));
    }

    [Fact]
    public async Task DeliveryWithoutEventsIsStillRecorded()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        Assert.Equal(new WebhookDeliveryResult(false, 0), await store.Store.AppendWebhookDeliveryAsync(org, "github", "ping", [], Ct));
        Assert.Equal(new WebhookDeliveryResult(true, 0), await store.Store.AppendWebhookDeliveryAsync(org, "github", "ping", [Some.Change()], Ct));
        Assert.Empty(await ChangeIdsAsync(store, org));
    }

    [Fact]
    public async Task DeliveryWhoseEventsFailIsNotRecorded()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await Assert.ThrowsAsync<ArgumentException>(() => store.Store.AppendWebhookDeliveryAsync(
            org, "github", "d-1", [Some.Change("c1", 1_000), new UnknownEvent(Some.System, "x")], Ct));
        var retried = await store.Store.AppendWebhookDeliveryAsync(org, "github", "d-1", [Some.Change("c2", 1_100)], Ct);

        // The provider's retry of the failed delivery is stored, and nothing of the failed attempt is.
        Assert.Equal(new WebhookDeliveryResult(false, 1), retried);
        Assert.Equal(["c2"], await ChangeIdsAsync(store, org));
    }

    [Fact]
    public async Task SameDeliveryReceivedConcurrentlyIsStoredOnce()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        const int Receivers = 8;

        // Each receiver carries a change of its own, so the changes stored say how many receivers stored theirs.
        using var start = new ManualResetEventSlim();
        var receivers = Enumerable.Range(0, Receivers)
            .Select(i => Task.Run(
                () =>
                {
                    start.Wait(Ct);
                    return store.Store.AppendWebhookDeliveryAsync(org, "github", "d-1", [Some.Change($"c{i}", 1_000 + i)], Ct);
                },
                Ct))
            .ToList();
        start.Set();
        var results = await Task.WhenAll(receivers);

        Assert.Single(results, r => !r.Duplicate);
        Assert.Equal(Receivers - 1, results.Count(r => r == new WebhookDeliveryResult(true, 0)));
        Assert.Single(await ChangeIdsAsync(store, org));
    }

    // --- issues ---------------------------------------------------------------------------------

    [Fact]
    public async Task UpsertedIssueReplacesTheStoredOneOfItsKey()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        Assert.Equal(2, await store.Store.UpsertIssuesAsync(org, [Issue("ISS-1", 1_000, storyPoint: 3), Issue("ISS-1", 1_100, system: "web")], [], Ct));
        Assert.Equal(1, await store.Store.UpsertIssuesAsync(org, [Issue("ISS-1", 1_200, status: "DONE", resolved: 1_500, type: "REQUIREMENT")], [], Ct));

        Assert.Equal(
            [new IssueFact("BUG", "TODO", null, 1_100, null), new IssueFact("REQUIREMENT", "DONE", null, 1_200, 1_500)],
            Sorted(await IssueFactsAsync(store, org)));
    }

    [Fact]
    public async Task IssueKeyPushedTwiceInOneRequestEndsAsItsLastPush()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await store.Store.UpsertIssuesAsync(org, [Issue("ISS-1", 1_000, status: "TODO"), Issue("ISS-1", 1_000, status: "IN_PROGRESS", storyPoint: 5)], [], Ct);

        Assert.Equal([new IssueFact("BUG", "IN_PROGRESS", 5, 1_000, null)], await IssueFactsAsync(store, org));
    }

    [Fact]
    public async Task IssuesAreStoredUnderTheirNormalizedSystem()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await store.Store.UpsertIssuesAsync(org, [Issue("ISS-1", 1_000, system: "  api "), Issue("ISS-2", 1_100, system: "")], [], Ct);
        await store.Store.UpsertIssuesAsync(org, [Issue("ISS-1", 1_200, system: "api")], [], Ct);

        Assert.Equal([1_200], (await IssueFactsAsync(store, org, "api")).Select(f => f.Created));
        Assert.Equal([1_200], (await IssueFactsAsync(store, org, " api")).Select(f => f.Created));
        Assert.Equal([1_100], (await IssueFactsAsync(store, org, SystemName.Unknown)).Select(f => f.Created));
    }

    [Fact]
    public async Task IssueFactsAreThoseCreatedOrResolvedInTheWindowEachOnce()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        var other = await store.Keys.EnsureOrganizationAsync("umbrella", Ct);
        await store.Store.UpsertIssuesAsync(
            org,
            [
                Issue("at-start", 1_000),
                Issue("created-in", 1_500, resolved: 1_600),
                Issue("resolved-in", 500, resolved: 1_999),
                Issue("open-across", 500, resolved: 2_000),
                Issue("never-resolved", 500),
                Issue("at-end", 2_000),
            ],
            [],
            Ct);
        await store.Store.UpsertIssuesAsync(other, [Issue("theirs", 1_500)], [], Ct);

        var facts = await store.Store.ReadIssueFactsAsync(org, 1_000, 2_000, [], Ct);

        Assert.Equal(
            [new IssueFact("BUG", "TODO", null, 500, 1_999), new IssueFact("BUG", "TODO", null, 1_000, null), new IssueFact("BUG", "TODO", null, 1_500, 1_600)],
            Sorted(facts));
    }

    [Fact]
    public async Task IssueFactsKeepToTheNamedSystems()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await store.Store.UpsertIssuesAsync(
            org,
            [Issue("ISS-1", 1_000, system: "api"), Issue("ISS-2", 1_100, system: "web"), Issue("ISS-3", 500, system: "db", resolved: 1_200)],
            [],
            Ct);

        Assert.Equal([1_000, 1_100], (await IssueFactsAsync(store, org, "web", "api")).Select(f => f.Created).Order());
        Assert.Equal([500], (await IssueFactsAsync(store, org, "db")).Select(f => f.Created));
        Assert.Empty(await IssueFactsAsync(store, org, "API"));
    }

    [Fact]
    public async Task IssuesAndTheirEventsAreStoredTogether()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        var stored = await store.Store.UpsertIssuesAsync(
            org, [Issue("INC-1", 1_000, type: "INCIDENT")], [Some.Incident("INC-1", 1_000)], Ct);

        Assert.Equal(1, stored);
        Assert.Equal([new Incident(Some.System, "INC-1", 1_000, null, null)], await store.Events.FindIncidentsAsync(org, "INC-1", Ct));
    }

    [Fact]
    public async Task IssuesWhoseEventsFailAreNotStored()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await Assert.ThrowsAsync<ArgumentException>(() => store.Store.UpsertIssuesAsync(
            org, [Issue("INC-1", 1_000, type: "INCIDENT")], [Some.Incident("INC-1", 1_000), new UnknownEvent(Some.System, "x")], Ct));

        Assert.Empty(await IssueFactsAsync(store, org));
        Assert.Empty(await store.Events.FindIncidentsAsync(org, "INC-1", Ct));
    }

    [Fact]
    public async Task ResolvingAnIssueClosesItInEverySystemAndKeepsAnEarlierResolution()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        var other = await store.Keys.EnsureOrganizationAsync("umbrella", Ct);
        await store.Store.UpsertIssuesAsync(
            org,
            [
                Issue("ISS-1", 1_000, system: "api", status: "IN_PROGRESS"),
                Issue("ISS-1", 1_100, system: "web", resolved: 1_500),
                Issue("ISS-2", 1_200, system: "api"),
            ],
            [],
            Ct);
        await store.Store.UpsertIssuesAsync(other, [Issue("ISS-1", 1_300)], [], Ct);

        var resolved = await store.Store.ResolveIssueAsync(org, "ISS-1", 3_000, [], Ct);

        Assert.Equal(2, resolved);
        Assert.Equal(
            [
                new IssueFact("BUG", "DONE", null, 1_000, 3_000),
                new IssueFact("BUG", "DONE", null, 1_100, 1_500),
                new IssueFact("BUG", "TODO", null, 1_200, null),
            ],
            Sorted(await IssueFactsAsync(store, org)));
        Assert.Equal([new IssueFact("BUG", "TODO", null, 1_300, null)], await IssueFactsAsync(store, other));
    }

    [Fact]
    public async Task ResolvingAnIssueAgainCountsItButKeepsItsFirstResolution()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await store.Store.UpsertIssuesAsync(org, [Issue("ISS-1", 1_000)], [], Ct);

        Assert.Equal(1, await store.Store.ResolveIssueAsync(org, "ISS-1", 2_000, [], Ct));
        Assert.Equal(1, await store.Store.ResolveIssueAsync(org, "ISS-1", 3_000, [], Ct));
        Assert.Equal(0, await store.Store.ResolveIssueAsync(org, "ISS-9", 3_000, [], Ct));

        Assert.Equal([new IssueFact("BUG", "DONE", null, 1_000, 2_000)], await IssueFactsAsync(store, org));
    }

    [Fact]
    public async Task ResolvingAnIssueStoresTheEventsGiven()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await store.Store.UpsertIssuesAsync(org, [Issue("INC-1", 1_000, type: "INCIDENT")], [Some.Incident("INC-1", 1_000)], Ct);

        var resolved = await store.Store.ResolveIssueAsync(org, "INC-1", 2_000, [Some.Incident("INC-1", 1_000, resolved: 2_000)], Ct);

        Assert.Equal(1, resolved);
        Assert.Equal([new Incident(Some.System, "INC-1", 1_000, 2_000, null)], await store.Events.FindIncidentsAsync(org, "INC-1", Ct));
        Assert.Equal([new IssueFact("INCIDENT", "DONE", null, 1_000, 2_000)], await IssueFactsAsync(store, org));
    }

    // --- helpers ---------------------------------------------------------------------------------

    private static IssueRecord Issue(
        string key, long created, string system = Some.System, string type = "BUG", string status = "TODO", double? storyPoint = null, long? resolved = null)
        => new(system, key, type, status, storyPoint, created, resolved);

    private static async Task<IReadOnlyList<IssueFact>> IssueFactsAsync(TestStore store, long org, params string[] systems)
        => await store.Store.ReadIssueFactsAsync(org, 0, 1_000_000_000, systems, Ct);

    // Issue facts come in no particular order.
    private static IssueFact[] Sorted(IEnumerable<IssueFact> facts) => [.. facts.OrderBy(f => f.Created)];

    private static async Task<IEnumerable<string>> ChangeIdsAsync(TestStore store, long org)
    {
        var page = await store.Events.ListChangesAsync(org, new ListQuery(0, 1_000_000_000, EnvironmentName.Production, [], 100, null), Ct);
        return page.Items.Select(c => c.Identifier);
    }

    private static NewApiKey NewKey(long org, byte seed) => new(org, $"connection {seed}", $"sk_{seed}", Hash(seed), ["devlake:write"], Now);

    private static byte[] Hash(byte seed) => [.. Enumerable.Range(0, 32).Select(i => (byte)(seed + i))];

    private static async Task<TestStore> CreateStoreAsync()
    {
        var provider = new TProvider();
        Assert.True(provider.IsAvailable, provider.UnavailableReason);   // never skipped: a missing server fails the run
        return await provider.CreateStoreAsync(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Now)), Ct);
    }

    private static Task<long> OrganizationAsync(TestStore store) => store.Keys.EnsureOrganizationAsync("acme", Ct);

    private sealed record UnknownEvent(string System, string Identifier) : Event(System, Identifier);
}
