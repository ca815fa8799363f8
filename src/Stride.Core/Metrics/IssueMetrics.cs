namespace Stride.Core.Metrics;

/// <summary>A DevLake issue of the chosen systems (SPEC §3, "Issue metrics").</summary>
/// <param name="Type">Upper-cased: <c>REQUIREMENT</c>, <c>BUG</c>, <c>INCIDENT</c> or any other type (empty when none was given).</param>
/// <param name="Status">Upper-cased: <c>TODO</c>, <c>IN_PROGRESS</c> or <c>DONE</c>.</param>
/// <param name="StoryPoint">The issue's story points; null when it has none.</param>
/// <param name="Created">When it was created (Unix seconds).</param>
/// <param name="Resolved">When it was resolved; null while unresolved.</param>
public readonly record struct IssueFact(string Type, string Status, double? StoryPoint, long Created, long? Resolved);

/// <summary>The issue metric blocks of one window. Null values mean "no data".</summary>
public sealed record IssueMetricsReport(
    RequirementDeliveryRate RequirementDeliveryRate,
    RequirementGranularity RequirementGranularity,
    IssueAge BugAge,
    IssueAge IncidentAge);

/// <summary>Requirements created in the window, and how many of them are done.</summary>
/// <param name="Rate">Delivered ÷ requirements; null when there are none.</param>
public sealed record RequirementDeliveryRate(int Requirements, int Delivered, double? Rate);

/// <summary>Requirements created in the window that have a story point, and their mean story points.</summary>
public sealed record RequirementGranularity(int Requirements, double? MeanStoryPoints);

/// <summary>Issues of one type resolved in the window, and how long they took (resolution − creation).</summary>
public sealed record IssueAge(int Issues, double? MedianSeconds, double? MeanSeconds);

/// <summary>Computes what DevLake computes from webhook issues (SPEC §3, "Issue metrics"): pure, no I/O.</summary>
public static class IssueMetrics
{
    public const string Requirement = "REQUIREMENT";
    public const string Bug = "BUG";
    public const string Incident = "INCIDENT";
    public const string Done = "DONE";

    /// <summary>The issue metric blocks of the window <c>[from, to)</c>.</summary>
    /// <remarks>
    /// The facts may hold more than the window needs and come in any order: requirements count when created
    /// in the window, bugs and incidents when resolved in it. Issues resolved before they were created are
    /// left out of the ages, as incidents are left out of restore times.
    /// </remarks>
    public static IssueMetricsReport Compute(IReadOnlyList<IssueFact> issues, long from, long to)
    {
        ArgumentNullException.ThrowIfNull(issues);
        var requirements = 0;
        var delivered = 0;
        var pointed = 0;
        var points = 0.0;
        var bugAges = new List<long>();
        var incidentAges = new List<long>();
        foreach (var issue in issues)
        {
            if (issue.Type == Requirement && issue.Created >= from && issue.Created < to)
            {
                requirements++;
                if (issue.Status == Done)
                {
                    delivered++;
                }

                if (issue.StoryPoint is { } storyPoint)
                {
                    pointed++;
                    points += storyPoint;
                }
            }

            if (issue.Resolved is { } resolved && resolved >= from && resolved < to && resolved >= issue.Created)
            {
                var ages = issue.Type switch
                {
                    Bug => bugAges,
                    Incident => incidentAges,
                    _ => null,
                };
                ages?.Add(resolved - issue.Created);
            }
        }

        return new IssueMetricsReport(
            new RequirementDeliveryRate(requirements, delivered, requirements == 0 ? null : (double)delivered / requirements),
            new RequirementGranularity(pointed, pointed == 0 ? null : points / pointed),
            Age(bugAges),
            Age(incidentAges));
    }

    private static IssueAge Age(List<long> ages)
    {
        var sorted = ages.ToArray();
        Array.Sort(sorted);
        return new IssueAge(sorted.Length, Percentiles.Median(sorted), Percentiles.Mean(sorted));
    }
}
