using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Core.Tests;

/// <summary>Values a test does not care about, so the ones it does stand out.</summary>
internal static class Some
{
    /// <summary>An arbitrary instant: Monday 2026-01-05T00:00:00Z.</summary>
    public const long Instant = 1_767_571_200;

    public const string System = "api";

    public static Change Change(string identifier = "c1", long timestamp = Instant, string system = System)
        => new(system, identifier, timestamp);

    public static Deployment Deployment(
        string identifier = "v1",
        long timestamp = Instant,
        string[]? changes = null,
        string system = System,
        string environment = EnvironmentName.Production,
        DeploymentResult result = DeploymentResult.Success,
        bool rework = false)
        => new(system, identifier, timestamp, environment, result, changes ?? [], [], null, rework);

    public static Incident Incident(
        string identifier = "INC-1",
        long created = Instant,
        long? resolved = null,
        string? deployment = null,
        string system = System)
        => new(system, identifier, created, resolved, deployment);

    public static WindowFacts Facts(
        long from,
        long to,
        IReadOnlyList<DeploymentFact>? deployments = null,
        IReadOnlyList<LeadTimeFact>? leadTimes = null,
        IReadOnlyList<IncidentFact>? incidents = null)
        => new(from, to, deployments ?? [], leadTimes ?? [], incidents ?? []);
}

/// <summary>Durations in seconds.</summary>
internal static class Seconds
{
    public const long Hour = 3_600;
    public const long Day = 86_400;
    public const long Week = 7 * Day;
}
