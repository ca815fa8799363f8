namespace Stride.Core.Metrics;

/// <summary>Which DORA report's performance tiers to apply.</summary>
public enum Benchmark
{
    Dora2023,
    Dora2021,
}

/// <summary>A DORA performance tier.</summary>
public enum Tier
{
    Elite,
    High,
    Medium,
    Low,
}

/// <summary>The six metric blocks of one window (SPEC §3). Null values mean "no data".</summary>
public sealed record MetricsReport(
    DeploymentFrequency DeploymentFrequency,
    LeadTimeForChanges LeadTimeForChanges,
    ChangeFailureRate ChangeFailureRate,
    TimeToRestore TimeToRestore,
    FailedDeploymentRecoveryTime FailedDeploymentRecoveryTime,
    ReworkRate ReworkRate);

public sealed record DeploymentFrequency(
    int Deployments,
    double PerDay,
    int DeploymentDays,
    double? MedianDeploymentDaysPerWeek,
    Tier? Tier);

public sealed record LeadTimeForChanges(
    int Changes,
    double? MedianSeconds,
    double? P90Seconds,
    double? MeanSeconds,
    int ChangesWithoutTimestamp,
    int NegativeLeadTimes,
    Tier? Tier);

public sealed record ChangeFailureRate(
    int Deployments,
    int FailedDeployments,
    double? Rate,
    Tier? Tier);

public sealed record TimeToRestore(
    int Incidents,
    double? MedianSeconds,
    double? MeanSeconds,
    double? P90Seconds,
    int OpenIncidents,
    Tier? Tier);

public sealed record FailedDeploymentRecoveryTime(
    int Incidents,
    double? MedianSeconds,
    Tier? Tier);

public sealed record ReworkRate(
    int Deployments,
    int ReworkDeployments,
    double? Rate);
