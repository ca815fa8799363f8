using Microsoft.Extensions.Time.Testing;
using Stride.Core.Events;
using Stride.Core.Metrics;
using Stride.Core.Series;

namespace Stride.Storage.Tests;

/// <summary>
/// SPEC §2's rules and the derived facts of §3, through <see cref="IEventStore"/>: every provider
/// must pass these (STYLE T5).
/// </summary>
public abstract class EventStoreContractTests<TProvider>
    where TProvider : StoreProvider, new()
{
    private const string Production = EnvironmentName.Production;
    private const string Staging = "staging";
    private const long Day = 86_400;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // --- changes -------------------------------------------------------------------------------

    [Fact]
    public async Task ChangePushedAgainKeepsItsEarliestTimestamp()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await AppendAsync(store, org, Some.Change("c1", 1_000), Some.Deployment("v1", 5_000, ["c1"]));
        await AppendAsync(store, org, Some.Change("c1", 800));
        await AppendAsync(store, org, Some.Change("c1", 900), Some.Change("c1", 1_200));

        Assert.Equal([new LeadTimeFact(5_000, 800)], LeadTimes(await FactsAsync(store, org)));
    }

    [Fact]
    public async Task ChangeListedButNeverPushedHasNoTimestamp()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await AppendAsync(store, org, Some.Deployment("v1", 5_000, ["never-pushed"]));

        Assert.Equal([new LeadTimeFact(5_000, null)], LeadTimes(await FactsAsync(store, org)));
    }

    [Fact]
    public async Task ChangePushedAfterItsDeploymentGetsItsLeadTime()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await AppendAsync(store, org, Some.Deployment("v1", 5_000, ["c1"]));
        await AppendAsync(store, org, Some.Change("c1", 4_000));

        Assert.Equal([new LeadTimeFact(5_000, 4_000)], LeadTimes(await FactsAsync(store, org)));
    }

    [Fact]
    public async Task ChangesAreKeyedBySystem()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await AppendAsync(
            store,
            org,
            Some.Change("c1", 1_000, system: "api"),
            Some.Change("c1", 3_000, system: "web"),
            Some.Deployment("v1", 5_000, ["c1"], system: "web"));

        Assert.Equal([new LeadTimeFact(5_000, 3_000)], LeadTimes(await FactsAsync(store, org)));
    }

    [Fact]
    public async Task IdentifiersKeepEveryCharacter()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        string[] ids = ["quote\"d", "back\\slash", "emoji-\U0001F680", "new\nline", "sep\u2028", "<tag>&'", "ü", "U"];

        await AppendAsync(store, org, [.. ids.Select((id, i) => (Event)Some.Change(id, 100 + i, system: "sÿstem/\"x\""))]);
        await AppendAsync(store, org, Some.Deployment("dé\"ploy", 1_000, ids, system: "sÿstem/\"x\""));

        Assert.Equal(
            ids.Select((_, i) => new LeadTimeFact(1_000, 100 + i)),
            LeadTimes(await FactsAsync(store, org, Production, "sÿstem/\"x\"")));
        Assert.Equal("dé\"ploy", (await store.Events.FindLatestDeploymentAsync(org, "sÿstem/\"x\"", Production, Ct))?.Identifier);
    }

    // --- deployments and first deployments -------------------------------------------------------

    [Fact]
    public async Task OnlySuccessfulDeploymentsOfTheEnvironmentCount()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await AppendAsync(
            store,
            org,
            Some.Deployment("v1", 1_000, rework: true),
            Some.Deployment("v2", 2_000, result: DeploymentResult.Failure),
            Some.Deployment("v3", 3_000, result: DeploymentResult.Aborted),
            Some.Deployment("v4", 4_000, environment: Staging));

        Assert.Equal([new DeploymentFact(1_000, true, false)], Deployments(await FactsAsync(store, org)));
        Assert.Equal([new DeploymentFact(4_000, false, false)], Deployments(await FactsAsync(store, org, Staging)));
    }

    [Fact]
    public async Task DeploymentPushedAgainReplacesItsChangesResultAndRework()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(store, org, Some.Change("c1", 100), Some.Change("c2", 200), Some.Change("c3", 300));

        await AppendAsync(store, org, Some.Deployment("v1", 1_000, ["c1", "c2"]));
        await AppendAsync(store, org, Some.Deployment("v1", 1_000, ["c2", "c3"], rework: true));
        var replaced = await FactsAsync(store, org);
        Assert.Equal([new DeploymentFact(1_000, true, false)], Deployments(replaced));
        Assert.Equal([new LeadTimeFact(1_000, 200), new LeadTimeFact(1_000, 300)], LeadTimes(replaced));

        await AppendAsync(store, org, Some.Deployment("v1", 1_000, ["c2", "c3"], DeploymentResult.Failure));
        var failed = await FactsAsync(store, org);
        Assert.Empty(failed.Deployments);
        Assert.Empty(failed.LeadTimes);

        await AppendAsync(store, org, Some.Deployment("v1", 1_500, ["c1"]));
        var succeeded = await FactsAsync(store, org);
        Assert.Equal([new DeploymentFact(1_500, false, false)], Deployments(succeeded));
        Assert.Equal([new LeadTimeFact(1_500, 100)], LeadTimes(succeeded));
    }

    [Fact]
    public async Task ChangeListedByTwoDeploymentsBelongsToTheEarlierWhicheverArrivesFirst()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await AppendAsync(store, org, Some.Change("c1", 100), Some.Deployment("late", 3_000, ["c1"]));
        await AppendAsync(store, org, Some.Deployment("early", 2_000, ["c1", "c1"]));

        var facts = await FactsAsync(store, org);
        Assert.Equal([new LeadTimeFact(2_000, 100)], LeadTimes(facts));
        Assert.Equal(2, facts.Deployments.Count);
    }

    [Fact]
    public async Task FirstDeploymentFallsBackWhenTheEarlierIsMovedRemovedOrFailed()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(
            store,
            org,
            Some.Change("c1", 100),
            Some.Deployment("a", 1_000, ["c1"]),
            Some.Deployment("b", 2_000, ["c1"]),
            Some.Deployment("c", 3_000, ["c1"]));
        Assert.Equal([new LeadTimeFact(1_000, 100)], LeadTimes(await FactsAsync(store, org)));

        await AppendAsync(store, org, Some.Deployment("a", 2_500, ["c1"]));
        Assert.Equal([new LeadTimeFact(2_000, 100)], LeadTimes(await FactsAsync(store, org)));

        await AppendAsync(store, org, Some.Deployment("b", 2_000, ["other"]));
        Assert.Equal([new LeadTimeFact(2_000, null), new LeadTimeFact(2_500, 100)], LeadTimes(await FactsAsync(store, org)));

        await AppendAsync(store, org, Some.Deployment("a", 2_500, ["c1"], DeploymentResult.Aborted));
        Assert.Equal([new LeadTimeFact(2_000, null), new LeadTimeFact(3_000, 100)], LeadTimes(await FactsAsync(store, org)));

        await AppendAsync(store, org, Some.Deployment("c", 3_000, ["c1"], DeploymentResult.Failure));
        Assert.Equal([new LeadTimeFact(2_000, null)], LeadTimes(await FactsAsync(store, org)));

        await AppendAsync(store, org, Some.Deployment("a", 500, ["c1"]));
        Assert.Equal([new LeadTimeFact(500, 100), new LeadTimeFact(2_000, null)], LeadTimes(await FactsAsync(store, org)));
    }

    [Fact]
    public async Task FirstDeploymentIsKeptPerEnvironment()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await AppendAsync(
            store,
            org,
            Some.Change("c1", 100),
            Some.Deployment("v1", 1_000, ["c1"], environment: Staging),
            Some.Deployment("v1", 2_000, ["c1"]));

        Assert.Equal([new LeadTimeFact(2_000, 100)], LeadTimes(await FactsAsync(store, org)));
        Assert.Equal([new LeadTimeFact(1_000, 100)], LeadTimes(await FactsAsync(store, org, Staging)));
    }

    [Fact]
    public async Task EnvironmentOfAQueryIsComparedCaseInsensitively()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await AppendAsync(store, org, Some.Deployment("v1", 1_000, environment: Staging));

        Assert.Single((await FactsAsync(store, org, "STAGING")).Deployments);
    }

    // --- incidents -----------------------------------------------------------------------------

    [Fact]
    public async Task IncidentPushedOpenThenResolvedStaysResolved()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await AppendAsync(store, org, Some.Incident("INC-1", created: 3_000));
        Assert.Equal([new IncidentFact(3_000, null, null)], Incidents(await FactsAsync(store, org)));

        await AppendAsync(store, org, Some.Incident("INC-1", created: 3_000, resolved: 4_000));
        Assert.Equal([new IncidentFact(3_000, 4_000, null)], Incidents(await FactsAsync(store, org)));

        // A later push without the resolution keeps it, and replaces the creation time.
        await AppendAsync(store, org, Some.Incident("INC-1", created: 2_500));
        Assert.Equal([new IncidentFact(2_500, 4_000, null)], Incidents(await FactsAsync(store, org)));
    }

    [Fact]
    public async Task IncidentIsAttributedToTheLatestDeploymentAtOrBeforeItsCreation()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await AppendAsync(
            store,
            org,
            Some.Deployment("v1", 1_000),
            Some.Deployment("v2", 2_000),
            Some.Deployment("v3", 3_000),
            Some.Incident("at", created: 2_000),
            Some.Incident("after", created: 2_500),
            Some.Incident("before-all", created: 500));

        var facts = await FactsAsync(store, org);
        Assert.Equal(
            [new IncidentFact(500, null, null), new IncidentFact(2_000, null, 2_000), new IncidentFact(2_500, null, 2_000)],
            Incidents(facts));
        Assert.Equal(
            [new DeploymentFact(1_000, false, false), new DeploymentFact(2_000, false, true), new DeploymentFact(3_000, false, false)],
            Deployments(facts));
    }

    [Fact]
    public async Task IncidentTieBetweenDeploymentsGoesToTheGreatestIdentifier()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        // Ordinal: "B" < "a" < "b"; arrival order must not matter.
        await AppendAsync(store, org, Some.Deployment("a", 2_000, rework: true), Some.Incident("INC-1", created: 2_000));
        await AppendAsync(store, org, Some.Deployment("B", 2_000));
        Assert.Contains(new DeploymentFact(2_000, true, true), (await FactsAsync(store, org)).Deployments);

        await AppendAsync(store, org, Some.Deployment("b", 2_000));
        var facts = await FactsAsync(store, org);
        Assert.Equal(
            [new DeploymentFact(2_000, false, false), new DeploymentFact(2_000, false, true), new DeploymentFact(2_000, true, false)],
            Deployments(facts));
    }

    [Fact]
    public async Task IncidentNamingADeploymentIsAttributedToItWhenItSucceeded()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await AppendAsync(
            store,
            org,
            Some.Deployment("v1", 1_000),
            Some.Deployment("v2", 2_000),
            Some.Deployment("broken", 1_500, result: DeploymentResult.Failure),
            Some.Incident("named", created: 2_500, deployment: "v1"),
            Some.Incident("named-later", created: 2_500, deployment: "v2"),
            Some.Incident("named-failed", created: 1_700, deployment: "broken"),
            Some.Incident("named-unknown", created: 1_800, deployment: "nope"));

        Assert.Equal(
            [
                new IncidentFact(1_700, null, 1_000),
                new IncidentFact(1_800, null, 1_000),
                new IncidentFact(2_500, null, 1_000),
                new IncidentFact(2_500, null, 2_000),
            ],
            Incidents(await FactsAsync(store, org)));
    }

    [Fact]
    public async Task IncidentNamingADeploymentOfAnotherSystemIsNotAttributedToIt()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await AppendAsync(
            store,
            org,
            Some.Deployment("v1", 1_000, system: "web"),
            Some.Incident("INC-1", created: 2_000, deployment: "v1", system: "api"));

        Assert.Equal([new IncidentFact(2_000, null, null)], Incidents(await FactsAsync(store, org)));
    }

    [Fact]
    public async Task DeploymentArrivingAfterTheIncidentTakesItsAttribution()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(store, org, Some.Deployment("v1", 1_000), Some.Deployment("v3", 3_000));
        await AppendAsync(store, org, Some.Incident("INC-1", created: 2_500), Some.Incident("INC-2", created: 3_500));

        await AppendAsync(store, org, Some.Deployment("v2", 2_000));

        Assert.Equal([new IncidentFact(2_500, null, 2_000), new IncidentFact(3_500, null, 3_000)], Incidents(await FactsAsync(store, org)));
        Assert.Equal(
            [new DeploymentFact(1_000, false, false), new DeploymentFact(2_000, false, true), new DeploymentFact(3_000, false, true)],
            Deployments(await FactsAsync(store, org)));
    }

    [Fact]
    public async Task NamedDeploymentArrivingAfterTheIncidentTakesItsAttribution()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(store, org, Some.Deployment("v1", 1_000), Some.Incident("INC-1", created: 2_500, deployment: "v9"));
        Assert.Equal([new IncidentFact(2_500, null, 1_000)], Incidents(await FactsAsync(store, org)));

        await AppendAsync(store, org, Some.Deployment("v9", 9_000));

        Assert.Equal([new IncidentFact(2_500, null, 9_000)], Incidents(await FactsAsync(store, org)));
        Assert.Equal([new DeploymentFact(1_000, false, false), new DeploymentFact(9_000, false, true)], Deployments(await FactsAsync(store, org)));
    }

    [Fact]
    public async Task DeploymentRePushedAsFailureReleasesItsIncidents()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(
            store,
            org,
            Some.Deployment("v1", 1_000),
            Some.Deployment("v2", 2_000),
            Some.Incident("implicit", created: 2_500),
            Some.Incident("named", created: 500, deployment: "v2"));
        Assert.Equal([new IncidentFact(500, null, 2_000), new IncidentFact(2_500, null, 2_000)], Incidents(await FactsAsync(store, org)));

        await AppendAsync(store, org, Some.Deployment("v2", 2_000, result: DeploymentResult.Failure));

        Assert.Equal([new IncidentFact(500, null, null), new IncidentFact(2_500, null, 1_000)], Incidents(await FactsAsync(store, org)));
        Assert.Equal([new DeploymentFact(1_000, false, true)], Deployments(await FactsAsync(store, org)));

        await AppendAsync(store, org, Some.Deployment("v2", 2_000));
        Assert.Equal([new IncidentFact(500, null, 2_000), new IncidentFact(2_500, null, 2_000)], Incidents(await FactsAsync(store, org)));
    }

    [Fact]
    public async Task DeploymentMovedInTimeReattributesAroundBothPlaces()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(
            store,
            org,
            Some.Deployment("v1", 1_000),
            Some.Deployment("v2", 2_000),
            Some.Deployment("v3", 3_000),
            Some.Deployment("v4", 4_000),
            Some.Incident("i15", created: 1_500),
            Some.Incident("i25", created: 2_500),
            Some.Incident("i35", created: 3_500),
            Some.Incident("i45", created: 4_500));

        await AppendAsync(store, org, Some.Deployment("v2", 3_700));

        Assert.Equal(
            [
                new IncidentFact(1_500, null, 1_000),
                new IncidentFact(2_500, null, 1_000),
                new IncidentFact(3_500, null, 3_000),
                new IncidentFact(4_500, null, 4_000),
            ],
            Incidents(await FactsAsync(store, org)));

        await AppendAsync(store, org, Some.Incident("i38", created: 3_800));
        Assert.Contains(new IncidentFact(3_800, null, 3_700), (await FactsAsync(store, org)).Incidents);
    }

    [Fact]
    public async Task IncidentRePushedWithAnotherCreationTimeOrNameMovesItsAttribution()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(store, org, Some.Deployment("v1", 1_000), Some.Deployment("v2", 2_000), Some.Incident("INC-1", created: 2_500));

        await AppendAsync(store, org, Some.Incident("INC-1", created: 1_500));
        var moved = await FactsAsync(store, org);
        Assert.Equal([new IncidentFact(1_500, null, 1_000)], Incidents(moved));
        Assert.Equal([new DeploymentFact(1_000, false, true), new DeploymentFact(2_000, false, false)], Deployments(moved));

        await AppendAsync(store, org, Some.Incident("INC-1", created: 1_500, deployment: "v2"));
        Assert.Equal([new IncidentFact(1_500, null, 2_000)], Incidents(await FactsAsync(store, org)));

        // The name stays when a later push omits it.
        await AppendAsync(store, org, Some.Incident("INC-1", created: 1_200, resolved: 5_000));
        Assert.Equal([new IncidentFact(1_200, 5_000, 2_000)], Incidents(await FactsAsync(store, org)));
    }

    [Fact]
    public async Task IncidentIsAttributedPerEnvironment()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(store, org, Some.Incident("INC-1", created: 2_500, deployment: "v1"));

        await AppendAsync(
            store,
            org,
            Some.Deployment("v1", 1_000, environment: Staging),
            Some.Deployment("v2", 2_000, environment: Staging),
            Some.Deployment("p1", 1_500));

        Assert.Equal([new IncidentFact(2_500, null, 1_500)], Incidents(await FactsAsync(store, org)));
        Assert.Equal([new IncidentFact(2_500, null, 1_000)], Incidents(await FactsAsync(store, org, Staging)));
        Assert.Equal([new IncidentFact(2_500, null, null)], Incidents(await FactsAsync(store, org, "qa")));
    }

    [Fact]
    public async Task IncidentOfASystemThatNeverDeploysIsUnattributed()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await AppendAsync(store, org, Some.Deployment("v1", 1_000, system: "api"), Some.Incident("INC-1", created: 2_000, system: "db"));

        Assert.Equal([new IncidentFact(2_000, null, null)], Incidents(await FactsAsync(store, org)));
        Assert.Equal([new DeploymentFact(1_000, false, false)], Deployments(await FactsAsync(store, org)));
    }

    [Fact]
    public async Task EventsOfOneRequestSeeTheEarlierOnes()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        var stored = await store.Events.AppendAsync(
            org,
            [
                Some.Incident("INC-1", created: 2_500),
                Some.Deployment("v1", 2_000, ["c1"]),
                Some.Change("c1", 1_000),
                Some.Deployment("v1", 2_000, ["c1"], DeploymentResult.Failure),
                Some.Deployment("v1", 1_800, ["c1"]),
                Some.Incident("INC-1", created: 2_500, resolved: 2_600),
            ],
            Ct);

        Assert.Equal(6, stored);
        var facts = await FactsAsync(store, org);
        Assert.Equal([new DeploymentFact(1_800, false, true)], Deployments(facts));
        Assert.Equal([new LeadTimeFact(1_800, 1_000)], LeadTimes(facts));
        Assert.Equal([new IncidentFact(2_500, 2_600, 1_800)], Incidents(facts));
    }

    // --- windows, filters, tenants ---------------------------------------------------------------

    [Fact]
    public async Task WindowHoldsWhatWindowFactsDocuments()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(
            store,
            org,
            Some.Change("c0", 10),
            Some.Change("c1", 10),
            Some.Change("c2", 10),
            Some.Deployment("before", 999, ["c0"]),
            Some.Deployment("at-from", 1_000, ["c1"]),
            Some.Deployment("at-to", 2_000, ["c2"]),
            Some.Incident("resolved-before", created: 100, resolved: 999),
            Some.Incident("resolved-in", created: 100, resolved: 1_000),
            Some.Incident("resolved-after", created: 1_999, resolved: 90_000),
            Some.Incident("created-at-to", created: 2_000, resolved: 2_500),
            Some.Incident("open", created: 1_500),
            Some.Incident("open-later", created: 2_000),
            Some.Incident("backwards", created: 1_800, resolved: 1_700));

        var facts = await store.Events.ReadFactsAsync(org, 1_000, 2_000, Production, [], Ct);

        Assert.Equal([new DeploymentFact(1_000, false, true)], Deployments(facts));
        Assert.Equal([new LeadTimeFact(1_000, 10)], LeadTimes(facts));
        Assert.Equal(
            [
                new IncidentFact(100, 1_000, null),
                new IncidentFact(1_500, null, 1_000),
                new IncidentFact(1_800, 1_700, 1_000),
                new IncidentFact(1_999, 90_000, 1_000),
            ],
            Incidents(facts));
    }

    [Fact]
    public async Task SystemsFilterKeepsOnlyTheGivenSystems()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(
            store,
            org,
            Some.Change("c1", 100, system: "api"),
            Some.Deployment("v1", 1_000, ["c1"], system: "api"),
            Some.Deployment("v1", 1_100, system: "web"),
            Some.Deployment("v1", 1_200, system: "github.com/acme/db"),
            Some.Incident("INC-1", created: 1_500, system: "web"));

        var api = await FactsAsync(store, org, Production, "api");
        Assert.Equal([new DeploymentFact(1_000, false, false)], Deployments(api));
        Assert.Equal([new LeadTimeFact(1_000, 100)], LeadTimes(api));
        Assert.Empty(api.Incidents);

        var webAndDb = await FactsAsync(store, org, Production, "web", "https://github.com/acme/db.git");
        Assert.Equal([new DeploymentFact(1_100, false, true), new DeploymentFact(1_200, false, false)], Deployments(webAndDb));
        Assert.Equal([new IncidentFact(1_500, null, 1_100)], Incidents(webAndDb));

        Assert.Equal(3, (await FactsAsync(store, org)).Deployments.Count);
    }

    [Fact]
    public async Task OrganizationNeverSeesAnotherOrganizationsFacts()
    {
        await using var store = await CreateStoreAsync();
        var acme = await store.Keys.EnsureOrganizationAsync("acme", Ct);
        var umbrella = await store.Keys.EnsureOrganizationAsync("umbrella", Ct);

        await AppendAsync(
            store,
            acme,
            Some.Change("c1", 100),
            Some.Deployment("v1", 1_000, ["c1"]),
            Some.Incident("INC-1", created: 1_500, resolved: 1_600));
        Assert.Empty(Flatten(await FactsAsync(store, umbrella)));
        Assert.Null(await store.Events.FindLatestDeploymentAsync(umbrella, Some.System, Production, Ct));

        // The same keys in the other organization are other events, and change nothing of the first.
        await AppendAsync(
            store,
            umbrella,
            Some.Change("c1", 900),
            Some.Deployment("v1", 1_000, ["c1"], DeploymentResult.Failure),
            Some.Deployment("v0", 500),
            Some.Incident("INC-1", created: 400));

        var acmeFacts = await FactsAsync(store, acme);
        Assert.Equal([new DeploymentFact(1_000, false, true)], Deployments(acmeFacts));
        Assert.Equal([new LeadTimeFact(1_000, 100)], LeadTimes(acmeFacts));
        Assert.Equal([new IncidentFact(1_500, 1_600, 1_000)], Incidents(acmeFacts));
        var umbrellaFacts = await FactsAsync(store, umbrella);
        Assert.Equal([new DeploymentFact(500, false, false)], Deployments(umbrellaFacts));
        Assert.Empty(umbrellaFacts.LeadTimes);
        Assert.Equal([new IncidentFact(400, null, null)], Incidents(umbrellaFacts));
    }

    // --- latest deployment, readiness ------------------------------------------------------------

    [Fact]
    public async Task LatestDeploymentIsTheLatestSuccessfulOneOfTheSystemAndEnvironment()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        Assert.Null(await store.Events.FindLatestDeploymentAsync(org, Some.System, Production, Ct));

        await AppendAsync(
            store,
            org,
            Some.Deployment("v1", 1_000, commit: "aaa"),
            Some.Deployment("v2", 2_000, commit: "bbb"),
            Some.Deployment("v3", 3_000, result: DeploymentResult.Failure),
            Some.Deployment("v4", 4_000, environment: Staging),
            Some.Deployment("v5", 5_000, system: "web"));

        Assert.Equal(
            new LatestDeployment(Some.System, Production, "v2", 2_000, "bbb"),
            await store.Events.FindLatestDeploymentAsync(org, Some.System, Production, Ct));

        await AppendAsync(store, org, Some.Deployment("v1b", 2_000));
        Assert.Equal(
            new LatestDeployment(Some.System, Production, "v2", 2_000, "bbb"),
            await store.Events.FindLatestDeploymentAsync(org, Some.System, "Production", Ct));
        Assert.Equal("v4", (await store.Events.FindLatestDeploymentAsync(org, Some.System, Staging, Ct))?.Identifier);
    }

    [Fact]
    public async Task StoreIsReady()
    {
        await using var store = await CreateStoreAsync();

        Assert.True(await store.Events.IsReadyAsync(Ct));
    }

    // --- atomicity, cancellation, concurrency ---------------------------------------------------

    [Fact]
    public async Task EmptyRequestStoresNothingAndReturnsZero()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        Assert.Equal(0, await store.Events.AppendAsync(org, [], Ct));
    }

    [Fact]
    public async Task RequestThatFailsMidwayStoresNothing()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        await AppendAsync(store, org, Some.Change("kept", 100), Some.Deployment("v0", 500, ["kept"]));

        var events = new List<Event>();
        for (var i = 0; i < 1_000; i++)
        {
            events.Add(Some.Change($"c{i}", 100 + i));
        }

        events.Add(Some.Deployment("v1", 2_000, ["c1", "kept"]));
        events.Add(Some.Incident("INC-1", created: 2_100));
        events.Add(Some.Change("kept", 1));
        events.Add(new Change(Some.System, null!, 5)); // the store refuses a change without identifier
        events.Add(Some.Change("c-after", 100));

        await Assert.ThrowsAnyAsync<Exception>(() => store.Events.AppendAsync(org, events, Ct));

        var facts = await FactsAsync(store, org);
        Assert.Equal([new DeploymentFact(500, false, false)], Deployments(facts));
        Assert.Equal([new LeadTimeFact(500, 100)], LeadTimes(facts));
        Assert.Empty(facts.Incidents);
    }

    [Fact]
    public async Task RequestWithAnUnknownEventTypeStoresNothing()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await Assert.ThrowsAsync<ArgumentException>(
            () => store.Events.AppendAsync(org, [Some.Deployment("v1", 1_000), new UnknownEvent(Some.System, "x")], Ct));

        Assert.Empty(Flatten(await FactsAsync(store, org)));
    }

    [Fact]
    public async Task RequestCancelledMidwayStoresNothing()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        // The list cancels the request while the store is reading it, half-way through.
        var events = new CancellingList(
            [.. Enumerable.Range(0, 2_000).Select(i => (Event)Some.Deployment($"v{i}", 1_000 + i))], cancelAt: 1_000, cancellation);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.Events.AppendAsync(org, events, cancellation.Token));

        Assert.Empty(Flatten(await FactsAsync(store, org)));
    }

    [Fact]
    public async Task RequestCancelledBeforeItsTurnStoresNothing()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => store.Events.AppendAsync(org, [Some.Deployment("v1", 1_000)], new CancellationToken(canceled: true)));

        Assert.Empty(Flatten(await FactsAsync(store, org)));
    }

    [Fact]
    public async Task FailingRequestDoesNotTakeConcurrentRequestsDownWithIt()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        var good = Enumerable.Range(0, 50)
            .Select(i => store.Events.AppendAsync(org, [Some.Deployment($"v{i}", 1_000 + i)], Ct))
            .ToList();
        var bad = store.Events.AppendAsync(org, [Some.Deployment("bad", 5_000), new UnknownEvent(Some.System, "x")], Ct);
        good.AddRange(Enumerable.Range(50, 50).Select(i => store.Events.AppendAsync(org, [Some.Deployment($"v{i}", 1_000 + i)], Ct)));

        await Assert.ThrowsAsync<ArgumentException>(() => bad);
        Assert.All(await Task.WhenAll(good), stored => Assert.Equal(1, stored));
        var facts = await FactsAsync(store, org);
        Assert.Equal(100, facts.Deployments.Count);
        Assert.DoesNotContain(facts.Deployments, d => d.Timestamp == 5_000);
    }

    [Fact]
    public async Task ManyParallelRequestsAllLandExactlyOnce()
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);

        // 400 single-event requests and 20 batches from many threads at once.
        var singles = Enumerable.Range(0, 400).Select(i => Task.Run(
            () => store.Events.AppendAsync(org, [Some.Deployment($"single-{i}", 10_000 + i, [$"c{i}"])], Ct), Ct));
        var batches = Enumerable.Range(0, 20).Select(b => Task.Run(
            () => store.Events.AppendAsync(
                org, [.. Enumerable.Range(0, 100).Select(i => (Event)Some.Change($"c{(b * 100) + i}", 1_000 + i))], Ct),
            Ct));
        var stored = await Task.WhenAll(singles.Concat(batches));

        Assert.Equal(400 + 2_000, stored.Sum());
        var facts = await FactsAsync(store, org);
        Assert.Equal(400, facts.Deployments.Count);
        Assert.Equal(400, facts.LeadTimes.Count);
        Assert.All(facts.LeadTimes, f => Assert.NotNull(f.ChangedAt));
    }

    [Fact]
    public async Task ConcurrentChangeRequestsOfSeveralOrganizationsStayApart()
    {
        await using var store = await CreateStoreAsync();
        var acme = await store.Keys.EnsureOrganizationAsync("acme", Ct);
        var umbrella = await store.Keys.EnsureOrganizationAsync("umbrella", Ct);
        await AppendAsync(store, acme, Some.Deployment("v1", 10_000, [.. Enumerable.Range(0, 100).Select(i => $"c{i}")]));
        await AppendAsync(store, umbrella, Some.Deployment("v1", 20_000, [.. Enumerable.Range(0, 100).Select(i => $"c{i}")]));

        // Single-change requests are upserted together when they share a commit; each keeps its organization.
        var requests = Enumerable.Range(0, 100).SelectMany(i => new[]
        {
            Task.Run(() => store.Events.AppendAsync(acme, [Some.Change($"c{i}", 1_000 + i)], Ct), Ct),
            Task.Run(() => store.Events.AppendAsync(umbrella, [Some.Change($"c{i}", 2_000 + i), Some.Change($"c{i}", 3_000)], Ct), Ct),
        });
        await Task.WhenAll(requests);

        Assert.Equal(
            Enumerable.Range(0, 100).Select(i => new LeadTimeFact(10_000, 1_000 + i)),
            LeadTimes(await FactsAsync(store, acme)));
        Assert.Equal(
            Enumerable.Range(0, 100).Select(i => new LeadTimeFact(20_000, 2_000 + i)),
            LeadTimes(await FactsAsync(store, umbrella)));
    }

    // --- the reference: Ledger -------------------------------------------------------------------

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 12)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RandomStreamsGiveTheLedgersFacts(int seed)
    {
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        var random = new Random(seed);
        var ledger = new Ledger();

        await ReplayAsync(store, org, ledger, RandomEvents.Stream(random, count: 600), random,
            position => AssertSameFactsAsync(store, org, ledger, random, $"seed {seed} after {position} events"));

        foreach (var (from, to, env, systems) in EveryQuery(RandomEvents.Windows(random)))
        {
            await AssertSameFactsAsync(store, org, ledger, from, to, env, systems, $"seed {seed}");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RandomStreamsOverDaysGiveTheLedgersMetricsWhenReadByDay(int seed)
    {
        // Spread over three weeks, so that windows hold whole days, which the store may summarize.
        await using var store = await CreateStoreAsync();
        var org = await OrganizationAsync(store);
        var random = new Random(seed);
        var ledger = new Ledger();

        await ReplayAsync(store, org, ledger, RandomEvents.Stream(random, count: 600, RandomEvents.DayScaleStep), random, position =>
        {
            var (from, to) = RandomEvents.Windows(random, RandomEvents.DayScaleStep).Skip(random.Next(5)).First();
            var env = RandomEvents.Environments[random.Next(RandomEvents.Environments.Length)];
            return AssertSameMetricsByDayAsync(store, org, ledger, from, to, env, [], $"seed {seed} after {position} events");
        });

        foreach (var (from, to, env, systems) in EveryQuery(RandomEvents.Windows(random, RandomEvents.DayScaleStep).Append((Day * 2, Day * 12))))
        {
            await AssertSameMetricsByDayAsync(store, org, ledger, from, to, env, systems, $"seed {seed}");
        }
    }

    /// <summary>Appends the stream in random batches, as pipelines would, applies it to the ledger too, and checks after each batch.</summary>
    private static async Task ReplayAsync(TestStore store, long org, Ledger ledger, List<Event> stream, Random random, Func<int, Task> check)
    {
        var position = 0;
        while (position < stream.Count)
        {
            var batch = stream.Skip(position).Take(random.Next(1, 60)).ToList();
            await store.Events.AppendAsync(org, batch, Ct);
            foreach (var e in batch)
            {
                ledger.Apply(e);
            }

            position += batch.Count;
            await check(position);
        }
    }

    /// <summary>Every window with every environment and system filter.</summary>
    private static IEnumerable<(long From, long To, string Env, string[] Systems)> EveryQuery(IEnumerable<(long From, long To)> windows)
        => from window in windows
           from env in RandomEvents.Environments
           from systems in RandomEvents.SystemFilters
           select (window.From, window.To, env, systems);

    /// <summary>The metrics of the window, and of its day buckets, from the store's facts read by day and from the ledger's.</summary>
    private static async Task AssertSameMetricsByDayAsync(
        TestStore store, long org, Ledger ledger, long from, long to, string env, string[] systems, string where)
    {
        var expected = MetricsEngine.Prepare(ledger.Facts(from, to, env, systems));
        var facts = await store.Events.ReadFactsByDayAsync(org, from, to, env, systems, Ct);
        var actual = MetricsEngine.Prepare(facts);
        var context = $"{where}, [{from}, {to}) {env} [{string.Join(',', systems)}], {facts.Days.Count} days summarized";
        var buckets = SeriesBuckets.Split(from, to, SeriesInterval.Day, TimeZoneInfo.Utc).Prepend((from, to));
        foreach (var (start, end) in buckets)
        {
            Assert.True(
                expected.Compute(start, end, Benchmark.Dora2023) == actual.Compute(start, end, Benchmark.Dora2023),
                $"metrics of [{start}, {end}) differ at {context}");
        }
    }

    private static async Task AssertSameFactsAsync(TestStore store, long org, Ledger ledger, Random random, string where)
    {
        var (from, to) = RandomEvents.Windows(random).First();
        var env = RandomEvents.Environments[random.Next(RandomEvents.Environments.Length)];
        var systems = RandomEvents.SystemFilters[random.Next(RandomEvents.SystemFilters.Length)];
        await AssertSameFactsAsync(store, org, ledger, from, to, env, systems, where);
    }

    private static async Task AssertSameFactsAsync(
        TestStore store, long org, Ledger ledger, long from, long to, string env, string[] systems, string where)
    {
        var expected = ledger.Facts(from, to, env, systems);
        var actual = await store.Events.ReadFactsAsync(org, from, to, env, systems, Ct);
        var context = $"{where}, [{from}, {to}) {env} [{string.Join(',', systems)}]";
        Assert.True(Deployments(expected).SequenceEqual(Deployments(actual)), $"deployments differ at {context}");
        Assert.True(LeadTimes(expected).SequenceEqual(LeadTimes(actual)), $"lead times differ at {context}");
        Assert.True(Incidents(expected).SequenceEqual(Incidents(actual)), $"incidents differ at {context}");
    }

    // --- helpers ---------------------------------------------------------------------------------

    private static async Task<TestStore> CreateStoreAsync()
    {
        var provider = new TProvider();
        Assert.True(provider.IsAvailable, provider.UnavailableReason);   // never skipped: a missing server fails the run
        return await provider.CreateStoreAsync(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)), Ct);
    }

    private static Task<long> OrganizationAsync(TestStore store) => store.Keys.EnsureOrganizationAsync("acme", Ct);

    private static Task<int> AppendAsync(TestStore store, long org, params Event[] events) => store.Events.AppendAsync(org, events, Ct);

    /// <summary>Everything stored, as the facts of the widest window.</summary>
    private static Task<WindowFacts> FactsAsync(TestStore store, long org, string environment = Production, params string[] systems)
        => store.Events.ReadFactsAsync(org, 0, 1_000_000_000, environment, systems, Ct);

    private static DeploymentFact[] Deployments(WindowFacts facts)
        => [.. facts.Deployments.OrderBy(d => d.Timestamp).ThenBy(d => d.Rework).ThenBy(d => d.Failed)];

    private static LeadTimeFact[] LeadTimes(WindowFacts facts)
        => [.. facts.LeadTimes.OrderBy(l => l.DeployedAt).ThenBy(l => l.ChangedAt)];

    private static IncidentFact[] Incidents(WindowFacts facts)
        => [.. facts.Incidents.OrderBy(i => i.Created).ThenBy(i => i.Resolved).ThenBy(i => i.DeployedAt)];

    private static object[] Flatten(WindowFacts facts)
        => [.. facts.Deployments.Cast<object>(), .. facts.LeadTimes.Cast<object>(), .. facts.Incidents.Cast<object>()];

    private sealed record UnknownEvent(string System, string Identifier) : Event(System, Identifier);

    /// <summary>A list that cancels a token when one of its items is read.</summary>
    private sealed class CancellingList(List<Event> items, int cancelAt, CancellationTokenSource cancellation) : IReadOnlyList<Event>
    {
        public int Count => items.Count;

        public Event this[int index]
        {
            get
            {
                if (index == cancelAt)
                {
                    cancellation.Cancel();
                }

                return items[index];
            }
        }

        public IEnumerator<Event> GetEnumerator()
        {
            for (var i = 0; i < items.Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
