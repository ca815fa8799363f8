using Stride.Core.Metrics;

namespace Stride.Core.Tests.Metrics;

public sealed class MetricsEngineTests
{
    private const long Hour = Seconds.Hour;
    private const long Day = Seconds.Day;

    // Not a midnight, so that day blocks counted back from `to` are visibly not calendar days.
    private const long To = Some.Instant + (100 * Day) + (7 * Hour);

    [Fact]
    public void DeploymentsAreCountedFromIncludedToExcluded()
    {
        var from = To - Day;
        var facts = Some.Facts(from - Day, To + Day, deployments: [At(from - 1), At(from), At(To - 1), At(To)]);

        var report = MetricsEngine.Compute(facts, from, To, Benchmark.Dora2023);

        Assert.Equal(2, report.DeploymentFrequency.Deployments);
        Assert.Equal(2, report.ChangeFailureRate.Deployments);
        Assert.Equal(2, report.ReworkRate.Deployments);
    }

    [Fact]
    public void PerDayDividesByTheFractionalLengthOfTheWindow()
    {
        var from = To - (36 * Hour);
        var facts = Some.Facts(from, To, deployments: [At(To - 1), At(To - 2), At(To - 3)]);

        Assert.Equal(2.0, MetricsEngine.Compute(facts, from, To, Benchmark.Dora2023).DeploymentFrequency.PerDay, 12);
    }

    [Fact]
    public void DeploymentDaysAreWholeDayBlocksCountedBackFromTo()
    {
        // Day 0 is [to − 1d, to), day 1 is [to − 2d, to − 1d); the last half day is no whole block.
        var from = To - (5 * Day / 2);
        var facts = Some.Facts(from, To, deployments:
        [
            At(To - Day),           // day 0 (its first second)
            At(To - 1),             // day 0 again
            At(To - Day - 1),       // day 1 (its last second)
            At(To - (2 * Day) - 1), // the partial half day
        ]);

        var frequency = MetricsEngine.Compute(facts, from, To, Benchmark.Dora2023).DeploymentFrequency;

        Assert.Equal(4, frequency.Deployments);
        Assert.Equal(2, frequency.DeploymentDays);
    }

    [Fact]
    public void MedianDeploymentDaysPerWeekUsesWholeWeeksCountedBackFromTo()
    {
        // Three whole weeks and three more days: week 0 has 5 deployment days, week 1 has 2 and
        // week 2 none; the partial days, though busy, are in no week.
        var from = To - (24 * Day);
        var facts = Some.Facts(from, To, deployments: OnDays(0, 1, 2, 3, 4, 8, 12, 21, 22, 23));

        var frequency = MetricsEngine.Compute(facts, from, To, Benchmark.Dora2023).DeploymentFrequency;

        Assert.Equal(10, frequency.DeploymentDays);
        Assert.Equal(2.0, frequency.MedianDeploymentDaysPerWeek);
        Assert.Equal(Tier.High, frequency.Tier);
    }

    [Fact]
    public void MedianDeploymentDaysPerWeekOfAnEvenCountIsTheMeanOfTheMiddleTwo()
    {
        var from = To - (14 * Day);
        var facts = Some.Facts(from, To, deployments: OnDays(0, 1, 2, 7));

        Assert.Equal(2.0, MetricsEngine.Compute(facts, from, To, Benchmark.Dora2023).DeploymentFrequency.MedianDeploymentDaysPerWeek);
    }

    [Fact]
    public void AWindowWithoutAWholeWeekHasNoMedianPerWeekAndNoTier()
    {
        var from = To - (7 * Day) + 1;
        var facts = Some.Facts(from, To, deployments: OnDays(0, 1, 2, 3, 4, 5));

        var frequency = MetricsEngine.Compute(facts, from, To, Benchmark.Dora2023).DeploymentFrequency;

        Assert.Equal(6, frequency.DeploymentDays);
        Assert.Null(frequency.MedianDeploymentDaysPerWeek);
        Assert.Null(frequency.Tier);
    }

    [Theory]
    // Five deployment days in the week: elite, in both benchmarks, month or not.
    [InlineData(7, new[] { 0, 1, 2, 3, 4 }, Benchmark.Dora2023, Tier.Elite)]
    [InlineData(7, new[] { 0, 1, 2, 3, 4 }, Benchmark.Dora2021, Tier.Elite)]
    [InlineData(7, new[] { 0, 1, 2, 3 }, Benchmark.Dora2023, Tier.High)]
    // 2021 needs the month rule next, and a week has no whole month.
    [InlineData(7, new[] { 0, 1, 2, 3 }, Benchmark.Dora2021, null)]
    [InlineData(7, new[] { 3 }, Benchmark.Dora2023, Tier.High)]
    // M = 0 sends 2023 to the month rule: none in a fortnight.
    [InlineData(14, new[] { 3 }, Benchmark.Dora2023, null)]
    // 60 days: weeks [1, 0, 0, 0, 1, 0, 0, 0] give M = 0; months [1, 1] give N = 1.
    [InlineData(60, new[] { 0, 30 }, Benchmark.Dora2023, Tier.Medium)]
    [InlineData(60, new[] { 0, 30 }, Benchmark.Dora2021, Tier.High)]
    // Months [1, 0] give N = 0.5.
    [InlineData(60, new[] { 0 }, Benchmark.Dora2023, Tier.Low)]
    [InlineData(60, new[] { 0 }, Benchmark.Dora2021, Tier.Medium)]
    // Nothing at all is still a tier when the blocks are there.
    [InlineData(60, new int[0], Benchmark.Dora2023, Tier.Low)]
    [InlineData(60, new int[0], Benchmark.Dora2021, Tier.Low)]
    public void DeploymentFrequencyTierFollowsTheBenchmark(int days, int[] deploymentDays, Benchmark benchmark, Tier? expected)
    {
        var from = To - (days * Day);
        var facts = Some.Facts(from, To, deployments: OnDays(deploymentDays));

        Assert.Equal(expected, MetricsEngine.Compute(facts, from, To, benchmark).DeploymentFrequency.Tier);
    }

    [Fact]
    public void MonthBlocksAreThirtyDaysCountedBackFromTo()
    {
        // Both windows have eight whole weeks, with deployment days [0, 0, 0, 0, 2, 0, 0, 0]: M = 0.
        // 59 days hold one month block (days 0–29), without a deployment: N = 0.
        var from = To - (59 * Day);
        var facts = Some.Facts(from, To, deployments: OnDays(30, 31));
        Assert.Equal(Tier.Low, MetricsEngine.Compute(facts, from, To, Benchmark.Dora2023).DeploymentFrequency.Tier);

        // One more day makes days 30–59 a second block: months [0, 2], N = 1.
        var longer = Some.Facts(from - Day, To, deployments: OnDays(30, 31));
        Assert.Equal(Tier.Medium, MetricsEngine.Compute(longer, from - Day, To, Benchmark.Dora2023).DeploymentFrequency.Tier);
    }

    [Fact]
    public void LeadTimesAreMeasuredFromTheChangeToItsFirstDeployment()
    {
        var from = To - Day;
        var facts = Some.Facts(from, To, leadTimes:
        [
            new(To - 10, To - 10 - (1 * Hour)),
            new(To - 10, To - 10 - (2 * Hour)),
            new(To - 20, To - 20 - (3 * Hour)),
            new(To - 20, To - 20 - (4 * Hour)),
        ]);

        var leadTime = MetricsEngine.Compute(facts, from, To, Benchmark.Dora2023).LeadTimeForChanges;

        Assert.Equal(4, leadTime.Changes);
        Assert.Equal(2.5 * Hour, leadTime.MedianSeconds);
        Assert.Equal(3.7 * Hour, leadTime.P90Seconds!.Value, 6);
        Assert.Equal(2.5 * Hour, leadTime.MeanSeconds);
        Assert.Equal(Tier.Elite, leadTime.Tier);
    }

    [Fact]
    public void LeadTimesBelongToTheWindowOfTheirDeployment()
    {
        var from = To - Day;
        var facts = Some.Facts(from - Day, To + Day, leadTimes:
        [
            new(from - 1, from - Hour),
            new(from, from - Hour),
            new(To, To - Hour),
        ]);

        Assert.Equal(1, MetricsEngine.Compute(facts, from, To, Benchmark.Dora2023).LeadTimeForChanges.Changes);
    }

    [Fact]
    public void ChangesWithoutTimestampAndNegativeLeadTimesAreCountedButLeftOut()
    {
        var from = To - Day;
        var facts = Some.Facts(from, To, leadTimes:
        [
            new(To - 10, null),
            new(To - 10, To - 5),
            new(To - 10, To - 10),
            new(To - 10, To - 10 - (2 * Day)),
        ]);

        var leadTime = MetricsEngine.Compute(facts, from, To, Benchmark.Dora2023).LeadTimeForChanges;

        Assert.Equal(2, leadTime.Changes);
        Assert.Equal(1, leadTime.ChangesWithoutTimestamp);
        Assert.Equal(1, leadTime.NegativeLeadTimes);
        Assert.Equal(Day, leadTime.MedianSeconds);
        Assert.Equal(Tier.High, leadTime.Tier);
    }

    [Fact]
    public void ChangeFailureRateIsFailedDeploymentsOverDeployments()
    {
        var from = To - Day;
        var facts = Some.Facts(from, To, deployments:
        [
            At(To - 1, failed: true),
            At(To - 2, failed: true),
            At(To - 3),
            At(To - 4),
            .. Enumerable.Range(5, 16).Select(s => At(To - s)),
        ]);

        var failure = MetricsEngine.Compute(facts, from, To, Benchmark.Dora2023).ChangeFailureRate;

        Assert.Equal(20, failure.Deployments);
        Assert.Equal(2, failure.FailedDeployments);
        Assert.Equal(0.1, failure.Rate);
        Assert.Equal(Tier.High, failure.Tier);
    }

    [Fact]
    public void ReworkRateIsReworkDeploymentsOverDeployments()
    {
        var from = To - Day;
        var facts = Some.Facts(from, To, deployments: [At(To - 1, rework: true), At(To - 2), At(To - 3), At(To - 4)]);

        var rework = MetricsEngine.Compute(facts, from, To, Benchmark.Dora2023).ReworkRate;

        Assert.Equal(4, rework.Deployments);
        Assert.Equal(1, rework.ReworkDeployments);
        Assert.Equal(0.25, rework.Rate);
    }

    [Fact]
    public void TimeToRestoreCoversIncidentsResolvedInTheWindow()
    {
        var from = To - Day;
        var facts = Some.Facts(from - Day, To + Day, incidents:
        [
            new(from - Hour, from - 1, null),          // resolved before the window
            new(from - Hour, from, null),              // 1 h
            new(To - (4 * Hour), To - Hour, null),     // 3 h
            new(To - (3 * Hour), To - 1, null),        // 3 h − 1 s
            new(To - Hour, To, null),                  // resolved after the window
        ]);

        var restore = MetricsEngine.Compute(facts, from, To, Benchmark.Dora2023).TimeToRestore;

        Assert.Equal(3, restore.Incidents);
        Assert.Equal((3 * Hour) - 1, restore.MedianSeconds);
        Assert.Equal(((7 * Hour) - 1) / 3.0, restore.MeanSeconds!.Value, 9);
        Assert.Equal((3 * Hour) - 0.2, restore.P90Seconds!.Value, 9);
        Assert.Equal(Tier.High, restore.Tier);
    }

    [Fact]
    public void IncidentsResolvedBeforeTheyWereCreatedAreLeftOutOfRestoreTimes()
    {
        var from = To - Day;
        var facts = Some.Facts(from, To, incidents: [new(To - Hour, To - (2 * Hour), null), new(To - (2 * Hour), To - Hour, null)]);

        var restore = MetricsEngine.Compute(facts, from, To, Benchmark.Dora2023).TimeToRestore;

        Assert.Equal(1, restore.Incidents);
        Assert.Equal(Hour, restore.MedianSeconds);
        Assert.Equal(0, restore.OpenIncidents);
    }

    [Fact]
    public void OpenIncidentsWereCreatedBeforeToAndNotResolvedBeforeIt()
    {
        var from = To - Day;
        var facts = Some.Facts(from - Day, To + Day, incidents:
        [
            new(from - Day, null, null),      // open since before the window
            new(To - 1, null, null),          // opened in the last second
            new(To - Hour, To, null),         // resolved exactly at `to`: still open at it
            new(To - Hour, To + Hour, null),  // resolved later
            new(To, null, null),              // created at `to`: not yet
            new(To - Hour, To - 1, null),     // resolved in the window
        ]);

        var restore = MetricsEngine.Compute(facts, from, To, Benchmark.Dora2023).TimeToRestore;

        Assert.Equal(4, restore.OpenIncidents);
        Assert.Equal(1, restore.Incidents);
    }

    [Fact]
    public void FailedDeploymentRecoveryTimeRunsFromTheAttributedDeploymentToTheResolution()
    {
        var from = To - Day;
        var facts = Some.Facts(from, To, incidents:
        [
            new(To - Hour, To - 1, To - (3 * Hour)),   // 3 h − 1 s
            new(To - Hour, To - 2, To - (5 * Hour)),   // 5 h − 2 s
            new(To - Hour, To - 3, null),              // unattributed
            new(To - Hour, To - 4, To),                // deployed after it was resolved: left out
        ]);

        var recovery = MetricsEngine.Compute(facts, from, To, Benchmark.Dora2023).FailedDeploymentRecoveryTime;

        Assert.Equal(2, recovery.Incidents);
        Assert.Equal((4 * Hour) - 1.5, recovery.MedianSeconds);
        Assert.Equal(Tier.High, recovery.Tier);
    }

    [Fact]
    public void NoDataGivesCountsOfZeroAndNulls()
    {
        var from = To - (60 * Day);

        var report = MetricsEngine.Compute(Some.Facts(from, To), from, To, Benchmark.Dora2023);

        Assert.Equal(new DeploymentFrequency(0, 0.0, 0, 0.0, Tier.Low), report.DeploymentFrequency);
        Assert.Equal(new LeadTimeForChanges(0, null, null, null, 0, 0, null), report.LeadTimeForChanges);
        Assert.Equal(new ChangeFailureRate(0, 0, null, null), report.ChangeFailureRate);
        Assert.Equal(new TimeToRestore(0, null, null, null, 0, null), report.TimeToRestore);
        Assert.Equal(new FailedDeploymentRecoveryTime(0, null, null), report.FailedDeploymentRecoveryTime);
        Assert.Equal(new ReworkRate(0, 0, null), report.ReworkRate);
    }

    [Fact]
    public void PreparedFactsGiveTheSameReportForEveryWindow()
    {
        var from = To - (90 * Day);
        var facts = Some.Facts(from, To,
            deployments: [.. Enumerable.Range(0, 200).Select(i => At(from + (i * 38_881L), rework: i % 7 == 0, failed: i % 11 == 0))],
            leadTimes: [.. Enumerable.Range(0, 300).Select(i => new LeadTimeFact(from + (i * 25_913L), i % 13 == 0 ? null : from + (i * 25_913L) - (i * 977L) + 5_000))],
            incidents: [.. Enumerable.Range(0, 50).Select(i => new IncidentFact(from + (i * 150_000L), i % 5 == 0 ? null : from + (i * 150_000L) + (i * 3_001L), i % 2 == 0 ? from + (i * 140_000L) : null))]);
        var prepared = MetricsEngine.Prepare(facts);

        for (var start = from; start < To; start += 7 * Day)
        {
            var end = Math.Min(start + (7 * Day), To);
            foreach (var benchmark in new[] { Benchmark.Dora2023, Benchmark.Dora2021 })
            {
                Assert.Equal(MetricsEngine.Compute(facts, start, end, benchmark), prepared.Compute(start, end, benchmark));
            }
        }
    }

    [Fact]
    public void AWindowOutsideTheFactsOrEmptyIsRefused()
    {
        var prepared = MetricsEngine.Prepare(Some.Facts(To - Day, To));

        Assert.Throws<ArgumentOutOfRangeException>(() => prepared.Compute(To - Day - 1, To, Benchmark.Dora2023));
        Assert.Throws<ArgumentOutOfRangeException>(() => prepared.Compute(To - Day, To + 1, Benchmark.Dora2023));
        Assert.Throws<ArgumentOutOfRangeException>(() => prepared.Compute(To - Hour, To - Hour, Benchmark.Dora2023));
    }

    private static DeploymentFact At(long timestamp, bool rework = false, bool failed = false) => new(timestamp, rework, failed);

    /// <summary>One deployment inside each given day block, counted back from <see cref="To"/>.</summary>
    private static DeploymentFact[] OnDays(params int[] days) => [.. days.Select(k => At(To - (k * Day) - Hour))];
}
