using Stride.Core.Metrics;

namespace Stride.Server.Dashboard;

/// <summary>One metric tile: the value in human units and raw (for <c>data-value</c>), its tier, and the change against the previous window.</summary>
internal sealed record TileView(
    string Id,
    string Title,
    string Value,
    string Raw,
    Tier? Tier,
    bool HasTier,
    Trend Trend,
    string Previous,
    string Detail)
{
    public string TierWord => DashboardFormat.TierWord(Tier);

    public string TierClass => DashboardFormat.TierClass(Tier);
}

/// <summary>Turns a window's report and the previous window's into tiles.</summary>
internal static class Tiles
{
    /// <summary>The four keys, in DORA's order.</summary>
    public static IReadOnlyList<TileView> Keys(MetricsReport now, MetricsReport before) =>
    [
        new("deployment-frequency", "Deployment frequency",
            DashboardFormat.Frequency(now.DeploymentFrequency.PerDay),
            DashboardFormat.Raw(now.DeploymentFrequency.PerDay),
            now.DeploymentFrequency.Tier, true,
            DashboardFormat.Change(now.DeploymentFrequency.PerDay, before.DeploymentFrequency.PerDay, lowerIsBetter: false),
            DashboardFormat.Frequency(before.DeploymentFrequency.PerDay),
            $"{DashboardFormat.Count(now.DeploymentFrequency.Deployments, "deployment", "deployments")} on {DashboardFormat.Count(now.DeploymentFrequency.DeploymentDays, "day", "days")}"),
        new("lead-time", "Lead time for changes",
            DashboardFormat.Duration(now.LeadTimeForChanges.MedianSeconds),
            DashboardFormat.Raw(now.LeadTimeForChanges.MedianSeconds),
            now.LeadTimeForChanges.Tier, true,
            DashboardFormat.Change(now.LeadTimeForChanges.MedianSeconds, before.LeadTimeForChanges.MedianSeconds, lowerIsBetter: true),
            DashboardFormat.Duration(before.LeadTimeForChanges.MedianSeconds),
            $"median of {DashboardFormat.Count(now.LeadTimeForChanges.Changes, "change", "changes")}; 90th percentile {DashboardFormat.Duration(now.LeadTimeForChanges.P90Seconds)}"),
        new("change-failure-rate", "Change failure rate",
            DashboardFormat.Percent(now.ChangeFailureRate.Rate),
            DashboardFormat.Raw(now.ChangeFailureRate.Rate),
            now.ChangeFailureRate.Tier, true,
            DashboardFormat.Change(now.ChangeFailureRate.Rate, before.ChangeFailureRate.Rate, lowerIsBetter: true),
            DashboardFormat.Percent(before.ChangeFailureRate.Rate),
            $"{DashboardFormat.Count(now.ChangeFailureRate.FailedDeployments)} of {DashboardFormat.Count(now.ChangeFailureRate.Deployments, "deployment", "deployments")} caused an incident"),
        new("time-to-restore", "Time to restore",
            DashboardFormat.Duration(now.TimeToRestore.MedianSeconds),
            DashboardFormat.Raw(now.TimeToRestore.MedianSeconds),
            now.TimeToRestore.Tier, true,
            DashboardFormat.Change(now.TimeToRestore.MedianSeconds, before.TimeToRestore.MedianSeconds, lowerIsBetter: true),
            DashboardFormat.Duration(before.TimeToRestore.MedianSeconds),
            $"median of {DashboardFormat.Count(now.TimeToRestore.Incidents, "resolved incident", "resolved incidents")}; {DashboardFormat.Count(now.TimeToRestore.OpenIncidents)} open"),
    ];

    /// <summary>The 2023/2024 successors, shown smaller.</summary>
    public static IReadOnlyList<TileView> Others(MetricsReport now, MetricsReport before) =>
    [
        new("failed-deployment-recovery-time", "Failed deployment recovery time",
            DashboardFormat.Duration(now.FailedDeploymentRecoveryTime.MedianSeconds),
            DashboardFormat.Raw(now.FailedDeploymentRecoveryTime.MedianSeconds),
            now.FailedDeploymentRecoveryTime.Tier, true,
            DashboardFormat.Change(now.FailedDeploymentRecoveryTime.MedianSeconds, before.FailedDeploymentRecoveryTime.MedianSeconds, lowerIsBetter: true),
            DashboardFormat.Duration(before.FailedDeploymentRecoveryTime.MedianSeconds),
            $"median of {DashboardFormat.Count(now.FailedDeploymentRecoveryTime.Incidents, "incident", "incidents")}"),
        new("rework-rate", "Rework rate",
            DashboardFormat.Percent(now.ReworkRate.Rate),
            DashboardFormat.Raw(now.ReworkRate.Rate),
            null, false,
            DashboardFormat.Change(now.ReworkRate.Rate, before.ReworkRate.Rate, lowerIsBetter: true),
            DashboardFormat.Percent(before.ReworkRate.Rate),
            $"{DashboardFormat.Count(now.ReworkRate.ReworkDeployments)} of {DashboardFormat.Count(now.ReworkRate.Deployments, "deployment", "deployments")} were unplanned fixes"),
    ];
}
