using Microsoft.AspNetCore.Http.HttpResults;
using Stride.Core.Events;
using Stride.Core.Metrics;
using Stride.Server.Auth;
using Stride.Storage;

namespace Stride.Server.Metrics;

/// <summary>What DevLake computes from webhook issues, for a window (SPEC §3 "Issue metrics", §4.5).</summary>
internal static class IssueMetricsApi
{
    public static RouteGroupBuilder MapIssueMetricsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/metrics/issues").WithTags("Metrics").RequireScope(Scopes.Read);
        group.MapGet("/", GetIssueMetricsAsync).WithName("GetIssueMetrics")
            .WithSummary("Requirement delivery rate and granularity, bug age and incident age of a window");
        return group;
    }

    private static async Task<Results<Ok<IssueMetricsResponse>, ValidationProblem>> GetIssueMetricsAsync(
        HttpContext http, IIssueStore store, TimeProvider time, CancellationToken ct)
    {
        // The same window and system parameters as GET /api/v1/metrics; environment and benchmark do not apply to issues.
        var errors = new Dictionary<string, string[]>();
        if (MetricsQuery.TryParse(http.Request.Query, time, errors) is not { } query)
        {
            return TypedResults.ValidationProblem(errors, detail: "The query parameters are not valid.");
        }

        var facts = await store.ReadIssueFactsAsync(http.User.Organization(), query.From, query.To, query.Systems, ct);
        var report = IssueMetrics.Compute(facts, query.From, query.To);
        return TypedResults.Ok(new IssueMetricsResponse(
            Timestamps.ToRfc3339(query.From),
            Timestamps.ToRfc3339(query.To),
            query.Systems,
            report.RequirementDeliveryRate,
            report.RequirementGranularity,
            report.BugAge,
            report.IncidentAge));
    }
}

/// <summary>The body of <c>GET /api/v1/metrics/issues</c>.</summary>
internal sealed record IssueMetricsResponse(
    string From,
    string To,
    IReadOnlyList<string> Systems,
    RequirementDeliveryRate RequirementDeliveryRate,
    RequirementGranularity RequirementGranularity,
    IssueAge BugAge,
    IssueAge IncidentAge);
