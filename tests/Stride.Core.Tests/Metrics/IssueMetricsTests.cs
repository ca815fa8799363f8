using Stride.Core.Metrics;

namespace Stride.Core.Tests.Metrics;

public sealed class IssueMetricsTests
{
    private const long Hour = Seconds.Hour;
    private const long Day = Seconds.Day;
    private const long From = Some.Instant;
    private const long To = From + (7 * Day);

    [Fact]
    public void NoIssuesGiveCountsOfZeroAndNullValues()
    {
        var report = IssueMetrics.Compute([], From, To);

        Assert.Equal(new RequirementDeliveryRate(0, 0, null), report.RequirementDeliveryRate);
        Assert.Equal(new RequirementGranularity(0, null), report.RequirementGranularity);
        Assert.Equal(new IssueAge(0, null, null), report.BugAge);
        Assert.Equal(new IssueAge(0, null, null), report.IncidentAge);
    }

    [Fact]
    public void RequirementsCountWhenCreatedInTheWindowAndAreDeliveredWhenDone()
    {
        var report = IssueMetrics.Compute(
            [
                Requirement("DONE", 3, From),                  // first instant: in
                Requirement("TODO", null, From + Day),
                Requirement("IN_PROGRESS", 5, To - 1),          // last second: in
                Requirement("DONE", 8, To),                     // `to` itself: out
                Requirement("DONE", 13, From - 1),              // before: out, even though done in the window
                new IssueFact("BUG", "DONE", 1, From + Day, null),   // not a requirement
            ],
            From,
            To);

        // 1 done of 3; story points 3 and 5 (the TODO one has none): mean 4.
        Assert.Equal(new RequirementDeliveryRate(3, 1, 1.0 / 3), report.RequirementDeliveryRate);
        Assert.Equal(new RequirementGranularity(2, 4.0), report.RequirementGranularity);
    }

    [Fact]
    public void RequirementsWithoutStoryPointsHaveNoGranularity()
    {
        var report = IssueMetrics.Compute([Requirement("DONE", null, From), Requirement("TODO", null, From + Hour)], From, To);

        Assert.Equal(new RequirementDeliveryRate(2, 1, 0.5), report.RequirementDeliveryRate);
        Assert.Equal(new RequirementGranularity(0, null), report.RequirementGranularity);
    }

    [Fact]
    public void AStoryPointOfZeroIsAStoryPoint()
    {
        var report = IssueMetrics.Compute([Requirement("TODO", 0, From), Requirement("TODO", 2.5, From)], From, To);

        Assert.Equal(new RequirementGranularity(2, 1.25), report.RequirementGranularity);
    }

    [Fact]
    public void AgesAreOfIssuesResolvedInTheWindowWhenEverCreated()
    {
        var report = IssueMetrics.Compute(
            [
                Resolved("BUG", From - (10 * Day), From),       // resolved at `from`: in, 10 days
                Resolved("BUG", From, From + Hour),             // 1 hour
                Resolved("BUG", From, From + (3 * Hour)),       // 3 hours
                Resolved("BUG", From, To),                      // resolved at `to`: out
                new IssueFact("BUG", "TODO", null, From, null), // unresolved: out
                Resolved("INCIDENT", From + Day, To - 1),       // 6 days less a second
                Resolved("INCIDENT", From + Day, From + Day + 60),
                Resolved("TASK", From, From + Hour),            // other types have no age block
            ],
            From,
            To);

        // Bugs: 3600, 10800, 864000 s: median 10800, mean 878400 / 3.
        Assert.Equal(new IssueAge(3, 10_800, 878_400.0 / 3), report.BugAge);
        // Incidents: 60 and 518399 s: median and mean both (60 + 518399) / 2.
        Assert.Equal(new IssueAge(2, 259_229.5, 259_229.5), report.IncidentAge);
    }

    [Fact]
    public void IssuesResolvedBeforeTheyWereCreatedAreLeftOutOfAges()
    {
        var report = IssueMetrics.Compute([Resolved("BUG", From + Day, From), Resolved("BUG", From, From + 100)], From, To);

        Assert.Equal(new IssueAge(1, 100, 100), report.BugAge);
    }

    private static IssueFact Requirement(string status, double? storyPoint, long created)
        => new("REQUIREMENT", status, storyPoint, created, null);

    private static IssueFact Resolved(string type, long created, long resolved) => new(type, "DONE", null, created, resolved);
}
