using System.Globalization;
using System.Text.Json;
using Stride.Core.Metrics;

namespace Stride.Server.Dashboard;

/// <summary>One block of SPEC §3 as <c>GET /api/v1/metrics</c> names it, with its numbers in the API's order.</summary>
/// <param name="Block">The JSON block name, such as <c>leadTimeForChanges</c>.</param>
internal sealed record NumberBlock(string Block, string Title, IReadOnlyList<NumberRow> Rows);

/// <summary>One number: a human label and value, and the API's field name and raw value for <c>data-field</c>/<c>data-value</c>.</summary>
/// <param name="Field">The JSON path, such as <c>leadTimeForChanges.p90Seconds</c>.</param>
/// <param name="Raw">The API's value as text: round-trip digits, a tier in lower case, or empty for null.</param>
/// <param name="Text">The value in human units; <see cref="AllNumbers.Missing"/> for null.</param>
internal sealed record NumberRow(string Field, string Label, string Raw, string Text)
{
    public bool IsMissing => Raw.Length == 0;
}

/// <summary>
/// Every field of every block of a window's report, so that a reader finds on the page each number
/// the API returns, not only the tiles' headline values.
/// </summary>
internal static class AllNumbers
{
    /// <summary>What a null reads as in the table (the page says so in words for screen readers).</summary>
    public const string Missing = "—";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The six blocks in the order of SPEC §3 and of the API's JSON.</summary>
    public static IReadOnlyList<NumberBlock> Of(MetricsReport report)
    {
        var df = report.DeploymentFrequency;
        var lt = report.LeadTimeForChanges;
        var cfr = report.ChangeFailureRate;
        var ttr = report.TimeToRestore;
        var fdrt = report.FailedDeploymentRecoveryTime;
        var rework = report.ReworkRate;
        return
        [
            Block("deploymentFrequency", "Deployment frequency",
                Count("deployments", "Deployments", df.Deployments),
                Number("perDay", "Frequency", df.PerDay, v => DashboardFormat.Frequency(v)),
                Count("deploymentDays", "Days with a deployment", df.DeploymentDays),
                Number("medianDeploymentDaysPerWeek", "Median deployment days per week", df.MedianDeploymentDaysPerWeek,
                    v => $"{v.ToString("0.##", Invariant)} of 7 days"),
                TierRow(df.Tier)),
            Block("leadTimeForChanges", "Lead time for changes",
                Count("changes", "Changes with a lead time", lt.Changes),
                Number("medianSeconds", "Median", lt.MedianSeconds, Duration),
                Number("p90Seconds", "90th percentile", lt.P90Seconds, Duration),
                Number("meanSeconds", "Mean", lt.MeanSeconds, Duration),
                Count("changesWithoutTimestamp", "Changes never pushed (no lead time)", lt.ChangesWithoutTimestamp),
                Count("negativeLeadTimes", "Negative lead times (left out)", lt.NegativeLeadTimes),
                TierRow(lt.Tier)),
            Block("changeFailureRate", "Change failure rate",
                Count("deployments", "Deployments", cfr.Deployments),
                Count("failedDeployments", "Deployments that caused an incident", cfr.FailedDeployments),
                Number("rate", "Rate", cfr.Rate, Percent),
                TierRow(cfr.Tier)),
            Block("timeToRestore", "Time to restore",
                Count("incidents", "Incidents resolved", ttr.Incidents),
                Number("medianSeconds", "Median", ttr.MedianSeconds, Duration),
                Number("meanSeconds", "Mean", ttr.MeanSeconds, Duration),
                Number("p90Seconds", "90th percentile", ttr.P90Seconds, Duration),
                Count("openIncidents", "Open at the window's end", ttr.OpenIncidents),
                TierRow(ttr.Tier)),
            Block("failedDeploymentRecoveryTime", "Failed deployment recovery time",
                Count("incidents", "Incidents resolved after a deployment", fdrt.Incidents),
                Number("medianSeconds", "Median", fdrt.MedianSeconds, Duration),
                TierRow(fdrt.Tier)),
            Block("reworkRate", "Rework rate",
                Count("deployments", "Deployments", rework.Deployments),
                Count("reworkDeployments", "Rework deployments", rework.ReworkDeployments),
                Number("rate", "Rate", rework.Rate, Percent)),
        ];
    }

    private static NumberBlock Block(string block, string title, params (string Field, string Label, string Raw, string Text)[] rows)
        => new(block, title, [.. rows.Select(r => new NumberRow($"{block}.{r.Field}", r.Label, r.Raw, r.Text))]);

    private static (string, string, string, string) Count(string field, string label, int value)
        => (field, label, value.ToString(Invariant), DashboardFormat.Count(value));

    private static (string, string, string, string) Number(string field, string label, double? value, Func<double, string> format)
        => (field, label, DashboardFormat.Raw(value), value is { } v ? format(v) : Missing);

    // The raw tier as the API writes it (camel case), so that it compares with the JSON as a string.
    private static (string, string, string, string) TierRow(Tier? tier)
        => ("tier", "Tier", tier is { } t ? JsonNamingPolicy.CamelCase.ConvertName(t.ToString()) : "",
            tier is null ? Missing : DashboardFormat.TierWord(tier));

    private static string Duration(double seconds) => DashboardFormat.Duration(seconds);

    private static string Percent(double rate) => DashboardFormat.Percent(rate);
}
