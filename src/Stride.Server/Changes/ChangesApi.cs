using Stride.Core.Events;
using Stride.Server.Auth;
using Stride.Server.Lists;
using Stride.Storage;

namespace Stride.Server.Changes;

/// <summary>Changes of a window, newest first, with their first deployment and lead time.</summary>
internal static class ChangesApi
{
    public static RouteGroupBuilder MapChangesApi(this IEndpointRouteBuilder routes)
    {
        // GET only: POST /api/v1/changes is ingestion (Ingestion/IngestionApi.cs), with its own scope.
        var group = routes.MapGroup("/api/v1/changes").WithTags("Changes");
        group.MapGet("/", ListAsync).WithName("ListChanges")
            .WithSummary("Changes made in a window, newest first, with their first deployment in the environment and lead time")
            .RequireScope(Scopes.Read);
        return group;
    }

    private static Task<IResult> ListAsync(HttpContext http, IEventStore store, TimeProvider time, CancellationToken ct)
        => ListRoute.AnswerAsync(http, time, (org, query) => store.ListChangesAsync(org, query, ct),
            c => new ChangeItem(c.System, c.Identifier, Timestamps.ToRfc3339(c.Timestamp), c.FirstDeployment,
                c.DeployedAt is { } d ? Timestamps.ToRfc3339(d) : null, c.LeadTimeSeconds),
            ["system", "identifier", "timestamp", "firstDeployment", "deployedAt", "leadTimeSeconds"],
            c => [c.System, c.Identifier, c.Timestamp, c.FirstDeployment, c.DeployedAt, Csv.Number(c.LeadTimeSeconds)]);
}

/// <summary>A change in a list: its time, and its first successful deployment in the environment (null while undeployed).</summary>
internal sealed record ChangeItem(string System, string Identifier, string Timestamp, string? FirstDeployment, string? DeployedAt, long? LeadTimeSeconds);
