using Microsoft.AspNetCore.Http.HttpResults;
using Stride.Core.Events;
using Stride.Server.Auth;
using Stride.Server.Incidents;
using Stride.Server.Lists;
using Stride.Storage;

namespace Stride.Server.Deployments;

/// <summary>Reads of deployments: the latest (for the CLI), lists, and one with its changes and incidents.</summary>
internal static class DeploymentsApi
{
    public static RouteGroupBuilder MapDeploymentsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/deployments").WithTags("Deployments");

        // The CLI asks this with an ingest key to find the commit of the previous deployment.
        group.MapGet("/latest", GetLatestAsync).WithName("GetLatestDeployment")
            .WithSummary("The latest successful deployment of a system")
            .RequireScope(Scopes.Ingest, Scopes.Read);
        group.MapGet("/", ListAsync).WithName("ListDeployments")
            .WithSummary("Deployments of a window, newest first, with their changes' median lead time and their incidents")
            .RequireScope(Scopes.Read);
        group.MapGet("/detail", GetDetailAsync).WithName("GetDeployment")
            .WithSummary("One deployment with its changes (and their lead times) and its incidents")
            .RequireScope(Scopes.Read);
        return group;
    }

    private static Task<IResult> ListAsync(HttpContext http, IEventStore store, TimeProvider time, CancellationToken ct)
        => ListRoute.AnswerAsync(http, time, (org, query) => store.ListDeploymentsAsync(org, query, ct), DeploymentItem.From,
            ["system", "environment", "identifier", "timestamp", "result", "rework", "commit", "teams", "changes", "medianLeadTimeSeconds", "incidents"],
            d =>
            [
                d.System, d.Environment, d.Identifier, d.Timestamp, d.Result, d.Rework ? "true" : "false", d.Commit,
                string.Join(' ', d.Teams), Csv.Number(d.Changes), Csv.Number(d.MedianLeadTimeSeconds), string.Join(' ', d.Incidents),
            ]);

    private static async Task<Results<Ok<DeploymentDetailResponse>, ProblemHttpResult, ValidationProblem>> GetDetailAsync(
        HttpContext http, IEventStore store, string? system, string? identifier, string? environment, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(identifier))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["identifier"] = ["is required."] });
        }

        var name = SystemName.Normalize(system);
        var env = EnvironmentName.Normalize(environment);
        var detail = await store.FindDeploymentAsync(http.User.Organization(), name, env, identifier.Trim(), ct);
        return detail is null
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                detail: $"System '{name}' has no deployment '{identifier.Trim()}' in environment '{env}'.")
            : TypedResults.Ok(new DeploymentDetailResponse(
                DeploymentItem.From(detail.Deployment),
                detail.Changes.Select(c => new DeploymentChangeItem(
                    c.Identifier, c.Timestamp is { } t ? Timestamps.ToRfc3339(t) : null, c.FirstDeployment, c.LeadTimeSeconds)).ToList(),
                detail.Incidents.Select(IncidentItem.From).ToList()));
    }

    private static async Task<Results<Ok<LatestDeploymentResponse>, ProblemHttpResult>> GetLatestAsync(
        HttpContext http, IEventStore store, string? system, string? environment, CancellationToken ct)
    {
        var name = SystemName.Normalize(system);
        var env = EnvironmentName.Normalize(environment);
        var latest = await store.FindLatestDeploymentAsync(http.User.Organization(), name, env, ct);
        return latest is null
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                detail: $"System '{name}' has no successful deployment in environment '{env}'.")
            : TypedResults.Ok(new LatestDeploymentResponse(
                latest.System, latest.Environment, latest.Identifier, Timestamps.ToRfc3339(latest.Timestamp), latest.Commit));
    }
}

/// <summary>A deployment in a list (times as RFC 3339 UTC).</summary>
internal sealed record DeploymentItem(
    string System,
    string Environment,
    string Identifier,
    string Timestamp,
    string Result,
    bool Rework,
    string? Commit,
    IReadOnlyList<string> Teams,
    int Changes,
    double? MedianLeadTimeSeconds,
    IReadOnlyList<string> Incidents)
{
    public static DeploymentItem From(DeploymentRow row) => new(
        row.System, row.Environment, row.Identifier, Timestamps.ToRfc3339(row.Timestamp), row.Result.ToString().ToLowerInvariant(),
        row.Rework, row.Commit, row.Teams, row.Changes, row.MedianLeadTimeSeconds, row.Incidents);
}

/// <summary>A change a deployment lists: its time, whether this deployment was its first, and then its lead time.</summary>
internal sealed record DeploymentChangeItem(string Identifier, string? Timestamp, bool FirstDeployment, long? LeadTimeSeconds);

/// <summary>The body of <c>GET /api/v1/deployments/detail</c>.</summary>
internal sealed record DeploymentDetailResponse(DeploymentItem Deployment, IReadOnlyList<DeploymentChangeItem> Changes, IReadOnlyList<IncidentItem> Incidents);

/// <summary>The body of <c>GET /api/v1/deployments/latest</c>.</summary>
internal sealed record LatestDeploymentResponse(string System, string Environment, string Identifier, string Timestamp, string? Commit);
