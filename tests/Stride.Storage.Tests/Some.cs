using Stride.Core.Events;

namespace Stride.Storage.Tests;

/// <summary>Events whose unimportant values are filled in, so the values a test sets stand out (STYLE T6).</summary>
internal static class Some
{
    public const string System = "api";

    public static Change Change(string identifier = "c1", long timestamp = 1_000, string system = System)
        => new(system, identifier, timestamp);

    public static Deployment Deployment(
        string identifier = "v1",
        long timestamp = 2_000,
        IReadOnlyList<string>? changes = null,
        DeploymentResult result = DeploymentResult.Success,
        string environment = EnvironmentName.Production,
        string system = System,
        bool rework = false,
        string? commit = null,
        IReadOnlyList<string>? teams = null)
        => new(system, identifier, timestamp, environment, result, changes ?? [], teams ?? [], commit, rework);

    public static Incident Incident(
        string identifier = "INC-1", long created = 3_000, long? resolved = null, string? deployment = null, string system = System)
        => new(system, identifier, created, resolved, deployment);
}
