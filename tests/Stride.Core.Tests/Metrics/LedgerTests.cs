using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Core.Tests.Metrics;

public sealed class LedgerTests
{
    private const long Hour = Seconds.Hour;
    private const long Day = Seconds.Day;
    private const long Week = Seconds.Week;
    private const long T = Some.Instant;

    // Wide enough to hold every fact the tests make.
    private const long From = T - (30 * Day);
    private const long To = T + (30 * Day);

    [Fact]
    public void AChangePushedAgainKeepsItsEarliestTimestamp()
    {
        var ledger = Replay(
            Some.Change("c1", T - Hour),
            Some.Change("c1", T - (3 * Hour)),
            Some.Change("c1", T - (2 * Hour)),
            Some.Deployment("v1", T, ["c1"]));

        Assert.Equal([new LeadTimeFact(T, T - (3 * Hour))], Facts(ledger).LeadTimes);
    }

    [Fact]
    public void AChangesLeadTimeEndsAtItsFirstDeploymentWhateverTheOrderOfPushes()
    {
        var ledger = Replay(
            Some.Change("c1", T - Hour),
            Some.Deployment("v2", T + Day, ["c1"]),
            Some.Deployment("v1", T, ["c1"]),
            Some.Deployment("v3", T + (2 * Day), ["c1"]));

        Assert.Equal([new LeadTimeFact(T, T - Hour)], Facts(ledger).LeadTimes);
        // A window that holds only the redeploys holds no lead time of the change.
        Assert.Empty(ledger.Facts(T + Hour, To, EnvironmentName.Production, []).LeadTimes);
    }

    [Fact]
    public void OnlySuccessfulDeploymentsInTheEnvironmentDeployAChange()
    {
        var ledger = Replay(
            Some.Change("c1", T - Hour),
            Some.Deployment("v1", T, ["c1"], result: DeploymentResult.Failure),
            Some.Deployment("v2", T + Hour, ["c1"], result: DeploymentResult.Aborted),
            Some.Deployment("v1", T + (2 * Hour), ["c1"], environment: "staging"),
            Some.Deployment("v3", T + (3 * Hour), ["c1"]));

        Assert.Equal([new LeadTimeFact(T + (3 * Hour), T - Hour)], Facts(ledger).LeadTimes);
        Assert.Equal([new LeadTimeFact(T + (2 * Hour), T - Hour)], ledger.Facts(From, To, "Staging", []).LeadTimes);
    }

    [Fact]
    public void AChangeListedButNeverPushedHasNoTimestamp()
    {
        var ledger = Replay(Some.Deployment("v1", T, ["never-pushed"]));

        Assert.Equal([new LeadTimeFact(T, null)], Facts(ledger).LeadTimes);
    }

    [Fact]
    public void ChangesAreKeyedBySystem()
    {
        var ledger = Replay(
            Some.Change("c1", T - Hour, system: "web"),
            Some.Deployment("v1", T, ["c1"], system: "api"));

        Assert.Equal([new LeadTimeFact(T, null)], Facts(ledger).LeadTimes);
    }

    [Fact]
    public void ADeploymentPushedAgainIsReplacedWholly()
    {
        var ledger = Replay(
            Some.Change("c1", T - Hour),
            Some.Change("c2", T - Hour),
            Some.Deployment("v1", T, ["c1"], rework: true),
            Some.Deployment("v1", T + Hour, ["c2"]));

        var facts = Facts(ledger);

        Assert.Equal([new DeploymentFact(T + Hour, Rework: false, Failed: false)], facts.Deployments);
        Assert.Equal([new LeadTimeFact(T + Hour, T - Hour)], facts.LeadTimes);
    }

    [Fact]
    public void ADeploymentPushedAgainAsFailedIsNoLongerADeployment()
    {
        var ledger = Replay(
            Some.Deployment("v1", T),
            Some.Deployment("v1", T, result: DeploymentResult.Failure));

        Assert.Empty(Facts(ledger).Deployments);
    }

    [Fact]
    public void DeploymentsAreThoseOfTheEnvironmentInTheRange()
    {
        var ledger = Replay(
            Some.Deployment("v1", T - 1),
            Some.Deployment("v2", T),
            Some.Deployment("v3", T + Hour - 1, environment: "staging"),
            Some.Deployment("v4", T + Hour));

        Assert.Equal([T], ledger.Facts(T, T + Hour, "production", []).Deployments.Select(d => d.Timestamp));
        Assert.Equal([T + Hour - 1], ledger.Facts(T, T + Hour, " STAGING ", []).Deployments.Select(d => d.Timestamp));
    }

    [Fact]
    public void SystemsSelectTheirOwnEventsAndNoneSelectsAll()
    {
        var ledger = Replay(
            Some.Deployment("v1", T, system: "github.com/acme/api"),
            Some.Deployment("v1", T + 1, system: "web"),
            Some.Deployment("v1", T + 2, system: "Web"));

        Assert.Equal(3, ledger.Facts(From, To, "production", []).Deployments.Count);
        Assert.Equal([T + 1], ledger.Facts(From, To, "production", ["web"]).Deployments.Select(d => d.Timestamp));
        Assert.Equal(
            [T],
            ledger.Facts(From, To, "production", ["https://github.com/acme/api.git"]).Deployments.Select(d => d.Timestamp));
        Assert.Equal(2, ledger.Facts(From, To, "production", ["web", "github.com/acme/api"]).Deployments.Count);
    }

    [Fact]
    public void AnIncidentPushedOpenIsResolvedByALaterPush()
    {
        var ledger = Replay(
            Some.Incident("INC-1", created: T),
            Some.Incident("INC-1", created: T, resolved: T + Hour));

        Assert.Equal([new IncidentFact(T, T + Hour, null)], Facts(ledger).Incidents);
    }

    [Fact]
    public void AnIncidentPushedAgainWithoutResolutionOrDeploymentKeepsThem()
    {
        var ledger = Replay(
            Some.Deployment("v1", T - Day),
            Some.Deployment("v2", T - Hour),
            Some.Incident("INC-1", created: T, resolved: T + Hour, deployment: "v1"),
            Some.Incident("INC-1", created: T + 60));

        Assert.Equal([new IncidentFact(T + 60, T + Hour, T - Day)], Facts(ledger).Incidents);
    }

    [Fact]
    public void AnIncidentIsAttributedToTheDeploymentItNames()
    {
        var ledger = Replay(
            Some.Deployment("v1", T - Day),
            Some.Deployment("v2", T - Hour),
            Some.Deployment("v3", T + Hour),
            Some.Incident(created: T, resolved: T + (2 * Hour), deployment: "v3"));

        var facts = Facts(ledger);

        Assert.Equal(T + Hour, Assert.Single(facts.Incidents).DeployedAt);
        Assert.Equal([false, false, true], facts.Deployments.OrderBy(d => d.Timestamp).Select(d => d.Failed));
    }

    [Theory]
    [InlineData("no-such-deployment")]
    [InlineData("v-failed")]
    [InlineData("v-staging")]
    [InlineData("v-other-system")]
    public void AnIncidentNamingNoDeploymentOfItsSystemIsAttributedToTheLatestBeforeIt(string named)
    {
        var ledger = Replay(
            Some.Deployment("v1", T - Day),
            Some.Deployment("v2", T - Hour),
            Some.Deployment("v-failed", T - 60, result: DeploymentResult.Failure),
            Some.Deployment("v-staging", T - 60, environment: "staging"),
            Some.Deployment("v-other-system", T - 60, system: "web"),
            Some.Incident(created: T, deployment: named));

        Assert.Equal(T - Hour, Assert.Single(Facts(ledger).Incidents).DeployedAt);
    }

    [Fact]
    public void ADeploymentAtTheVeryCreationTimeIsTheLatestBeforeIt()
    {
        var ledger = Replay(
            Some.Deployment("v1", T - Hour),
            Some.Deployment("v2", T),
            Some.Deployment("v3", T + 1),
            Some.Incident(created: T));

        Assert.Equal(T, Assert.Single(Facts(ledger).Incidents).DeployedAt);
    }

    [Fact]
    public void AmongDeploymentsAtTheSameTimeTheGreatestIdentifierByOrdinalIsTheLatest()
    {
        // Ordinally "v9" > "v10" > "V99", whatever a human would say.
        var ledger = Replay(
            Some.Deployment("v9", T - Hour, rework: true),
            Some.Deployment("v10", T - Hour),
            Some.Deployment("V99", T - Hour),
            Some.Incident(created: T));

        var failed = Assert.Single(Facts(ledger).Deployments, d => d.Failed);
        Assert.True(failed.Rework);
    }

    [Fact]
    public void AnIncidentBeforeAnyDeploymentOfItsSystemIsUnattributed()
    {
        var ledger = Replay(
            Some.Deployment("v1", T - Hour, system: "web"),
            Some.Deployment("v2", T + Hour),
            Some.Incident(created: T),
            Some.Incident("INC-2", created: T, system: "no-deploys"));

        var facts = Facts(ledger);

        Assert.Equal([null, null], facts.Incidents.Select(i => i.DeployedAt));
        Assert.DoesNotContain(facts.Deployments, d => d.Failed);
    }

    [Fact]
    public void ADeploymentFailsWhenAnIncidentIsAttributedToItWheneverThatHappened()
    {
        var ledger = Replay(
            Some.Deployment("v1", T),
            Some.Incident(created: T + (20 * Day), resolved: T + (21 * Day)));

        var facts = ledger.Facts(T, T + Day, "production", []);

        Assert.True(Assert.Single(facts.Deployments).Failed);
        Assert.Empty(facts.Incidents);
    }

    [Fact]
    public void IncidentsAreThoseResolvedInTheRangeAndThoseOpenAtItsEnd()
    {
        var from = T;
        var to = T + Day;
        var ledger = Replay(
            Some.Incident("resolved-before", created: from - Hour, resolved: from - 1),
            Some.Incident("resolved-at-from", created: from - Hour, resolved: from),
            Some.Incident("resolved-inside", created: from + Hour, resolved: from + (2 * Hour)),
            Some.Incident("open-since-before", created: from - Day),
            Some.Incident("resolved-at-to", created: to - Hour, resolved: to),
            Some.Incident("resolved-after", created: from - Day, resolved: to + Day),
            Some.Incident("created-at-to", created: to),
            Some.Incident("backwards", created: to + Hour, resolved: to - Hour));

        var facts = ledger.Facts(from, to, "production", []);

        Assert.Equal(
            [
                new IncidentFact(from - Hour, from, null),
                new IncidentFact(from + Hour, from + (2 * Hour), null),
                new IncidentFact(from - Day, null, null),
                new IncidentFact(to - Hour, to, null),
                new IncidentFact(from - Day, to + Day, null),
                new IncidentFact(to + Hour, to - Hour, null),
            ],
            facts.Incidents);
    }

    [Fact]
    public void FactsFeedTheEngine()
    {
        var ledger = Replay(
            Some.Change("c1", T - (2 * Hour)),
            Some.Change("c2", T - Hour),
            Some.Deployment("v1", T, ["c1", "c2", "c3"]),
            Some.Deployment("v2", T + Day, ["c2"], rework: true),
            Some.Incident(created: T + (2 * Day), resolved: T + (2 * Day) + (30 * 60)));

        var report = MetricsEngine.Compute(ledger.Facts(T, T + Week, "production", []), T, T + Week, Benchmark.Dora2023);

        Assert.Equal(2, report.DeploymentFrequency.Deployments);
        // c1 waited 2 h for v1, c2 1 h (v2 redeployed it), c3 was never pushed.
        Assert.Equal(2, report.LeadTimeForChanges.Changes);
        Assert.Equal(1, report.LeadTimeForChanges.ChangesWithoutTimestamp);
        Assert.Equal(1.5 * Hour, report.LeadTimeForChanges.MedianSeconds);
        Assert.Equal(1.9 * Hour, report.LeadTimeForChanges.P90Seconds!.Value, 6);
        // The incident came after v2, so v2 failed and recovery runs from it.
        Assert.Equal(new ChangeFailureRate(2, 1, 0.5, Tier.Low), report.ChangeFailureRate);
        Assert.Equal(new FailedDeploymentRecoveryTime(1, Day + (30 * 60), Tier.Medium), report.FailedDeploymentRecoveryTime);
        Assert.Equal(new ReworkRate(2, 1, 0.5), report.ReworkRate);
    }

    [Fact]
    public void HandlesTheVolumeOfAMediumOrganization()
    {
        var ledger = new Ledger();
        for (var i = 0; i < 100_000; i++)
        {
            var system = $"svc-{i % 8}";
            var at = T + (i * 300L);
            ledger.Apply((i % 10) switch
            {
                < 6 => Some.Change($"c{i}", at - 5_000, system),
                < 9 => Some.Deployment($"v{i}", at, [$"c{i - 1}", $"c{i - 2}", $"c{i - 3}"], system),
                _ => Some.Incident($"INC-{i}", at, i % 20 == 0 ? null : at + 4_000, system: system),
            });
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var facts = ledger.Facts(T, T + (400 * Day), "production", []);
        MetricsEngine.Compute(facts, T, T + (400 * Day), Benchmark.Dora2023);

        Assert.Equal(30_000, facts.Deployments.Count);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"Took {started.Elapsed}.");
    }

    private static Ledger Replay(params Event[] events)
    {
        var ledger = new Ledger();
        foreach (var e in events)
        {
            ledger.Apply(e);
        }

        return ledger;
    }

    private static WindowFacts Facts(Ledger ledger) => ledger.Facts(From, To, "production", []);
}
