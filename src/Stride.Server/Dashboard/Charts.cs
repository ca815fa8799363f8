using System.Globalization;
using Stride.Core.Metrics;

namespace Stride.Server.Dashboard;

/// <summary>A bar chart drawn as inline SVG, with its numbers also given as a table.</summary>
/// <param name="Bars">One per bucket, oldest first; a bucket without data has no bar.</param>
internal sealed record ChartView(string Id, string Title, string Description, string Max, IReadOnlyList<ChartBar> Bars)
{
    public const double Width = 640;
    public const double Height = 160;

    public string FirstLabel => Bars.Count > 0 ? Bars[0].Label : "";

    public string LastLabel => Bars.Count > 0 ? Bars[^1].Label : "";
}

/// <summary>One bucket: its date label, its value in words, and the bar's geometry (SVG user units, two decimals).</summary>
internal sealed record ChartBar(string Label, string Value, bool HasValue, string X, string Y, string BarWidth, string BarHeight);

/// <summary>Builds the four keys' charts from the buckets of a series.</summary>
internal static class Charts
{
    public static IReadOnlyList<ChartView> Keys(IReadOnlyList<(long Start, long End, MetricsReport Report)> buckets, string interval) =>
    [
        Build("chart-deployments", "Deployments per " + interval, "Successful deployments in each " + interval,
            buckets, r => r.DeploymentFrequency.Deployments, v => DashboardFormat.Count((long)(v ?? 0), "deployment", "deployments")),
        Build("chart-lead-time", "Median lead time per " + interval, "Median lead time for changes deployed in each " + interval,
            buckets, r => r.LeadTimeForChanges.MedianSeconds, DashboardFormat.Duration),
        Build("chart-change-failure-rate", "Change failure rate per " + interval, "Share of each " + interval + "'s deployments that caused an incident",
            buckets, r => r.ChangeFailureRate.Rate, DashboardFormat.Percent),
        Build("chart-time-to-restore", "Median time to restore per " + interval, "Median time to restore of incidents resolved in each " + interval,
            buckets, r => r.TimeToRestore.MedianSeconds, DashboardFormat.Duration),
    ];

    private static ChartView Build(
        string id, string title, string description,
        IReadOnlyList<(long Start, long End, MetricsReport Report)> buckets,
        Func<MetricsReport, double?> value, Func<double?, string> format)
    {
        var values = buckets.Select(b => value(b.Report)).ToArray();
        var max = values.Where(v => v is > 0).Select(v => v!.Value).DefaultIfEmpty(0).Max();
        var slot = buckets.Count == 0 ? ChartView.Width : ChartView.Width / buckets.Count;
        var gap = Math.Min(2, slot * 0.2);
        var bars = buckets.Select((b, i) =>
        {
            var v = values[i];
            // A zero gets a hairline so that "none" differs from "no data" (no bar at all).
            var height = v is { } x && max > 0 ? Math.Max(1, x / max * ChartView.Height) : v is not null ? 1 : 0;
            return new ChartBar(
                DashboardFormat.Date(b.Start),
                format(v),
                v is not null,
                Number(i * slot + gap / 2),
                Number(ChartView.Height - height),
                Number(slot - gap),
                Number(height));
        }).ToArray();
        return new ChartView(id, title, description, max > 0 ? format(max) : DashboardFormat.NoData, bars);
    }

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
