using Microsoft.AspNetCore.Http.HttpResults;
using Stride.Core.Events;
using Stride.Server.Auth;
using Stride.Storage;

namespace Stride.Server.Deployments;

/// <summary>Reads of deployments.</summary>
internal static class DeploymentsApi
{
    public static RouteGroupBuilder MapDeploymentsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/deployments").WithTags("Deployments");

        // The CLI asks this with an ingest key to find the commit of the previous deployment.
        group.MapGet("/latest", GetLatestAsync).WithName("GetLatestDeployment")
            .WithSummary("The latest successful deployment of a system")
            .RequireScope(Scopes.Ingest, Scopes.Read);
        return group;
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

/// <summary>The body of <c>GET /api/v1/deployments/latest</c>.</summary>
internal sealed record LatestDeploymentResponse(string System, string Environment, string Identifier, string Timestamp, string? Commit);
