using Microsoft.AspNetCore.Http.HttpResults;
using Stride.Core.Events;
using Stride.Core.Metrics;
using Stride.Server.Auth;
using Stride.Storage;

namespace Stride.Server.Metrics;

/// <summary>The four keys and their successors for a window (SPEC §3, §4.5).</summary>
internal static class MetricsApi
{
    public static RouteGroupBuilder MapMetricsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/metrics").WithTags("Metrics").RequireScope(Scopes.Read);
        group.MapGet("/", GetMetricsAsync).WithName("GetMetrics")
            .WithSummary("The metrics of a window and of the window of equal length before it");
        return group;
    }

    private static async Task<Results<Ok<MetricsResponse>, ValidationProblem>> GetMetricsAsync(
        HttpContext http, IEventStore store, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (MetricsQuery.TryParse(http.Request.Query, time, errors) is not { } query)
        {
            return TypedResults.ValidationProblem(errors, detail: "The query parameters are not valid.");
        }

        // The window and the previous one are read side by side, each on its own connection: the
        // reads are the whole cost of a request, and each window's facts suffice for its own blocks.
        var organization = http.User.Organization();
        var previousFrom = query.From - (query.To - query.From);
        var currentFacts = Task.Run(() => store.ReadFactsByDayAsync(organization, query.From, query.To, query.Environment, query.Systems, ct), ct);
        var previousFacts = Task.Run(() => store.ReadFactsByDayAsync(organization, previousFrom, query.From, query.Environment, query.Systems, ct), ct);
        var current = MetricsEngine.Compute(await currentFacts, query.From, query.To, query.Benchmark);
        var previous = MetricsEngine.Compute(await previousFacts, previousFrom, query.From, query.Benchmark);
        return TypedResults.Ok(new MetricsResponse(
            Timestamps.ToRfc3339(query.From),
            Timestamps.ToRfc3339(query.To),
            query.Systems,
            query.Environment,
            MetricsQuery.Name(query.Benchmark),
            current.DeploymentFrequency,
            current.LeadTimeForChanges,
            current.ChangeFailureRate,
            current.TimeToRestore,
            current.FailedDeploymentRecoveryTime,
            current.ReworkRate,
            previous));
    }
}

/// <summary>The body of <c>GET /api/v1/metrics</c>.</summary>
internal sealed record MetricsResponse(
    string From,
    string To,
    IReadOnlyList<string> Systems,
    string Environment,
    string Benchmark,
    DeploymentFrequency DeploymentFrequency,
    LeadTimeForChanges LeadTimeForChanges,
    ChangeFailureRate ChangeFailureRate,
    TimeToRestore TimeToRestore,
    FailedDeploymentRecoveryTime FailedDeploymentRecoveryTime,
    ReworkRate ReworkRate,
    MetricsReport Previous);
