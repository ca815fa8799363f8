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

    private static async Task<IResult> ListAsync(HttpContext http, IEventStore store, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (ListRequest.TryParse(http.Request.Query, time, errors) is not { } request)
        {
            return TypedResults.ValidationProblem(errors, detail: "The query parameters are not valid.");
        }

        var page = await store.ListChangesAsync(http.User.Organization(), request.Query, ct);
        var items = page.Items.Select(c => new ChangeItem(
            c.System, c.Identifier, Timestamps.ToRfc3339(c.Timestamp), c.FirstDeployment,
            c.DeployedAt is { } d ? Timestamps.ToRfc3339(d) : null, c.LeadTimeSeconds)).ToList();
        var next = ListRequest.EncodeCursor(page.Next);
        if (!request.Csv)
        {
            return TypedResults.Ok(new ListResponse<ChangeItem>(items, next));
        }

        return Csv.Result(http.Request, next,
            ["system", "identifier", "timestamp", "firstDeployment", "deployedAt", "leadTimeSeconds"],
            items.Select(c => new[] { c.System, c.Identifier, c.Timestamp, c.FirstDeployment, c.DeployedAt, Csv.Number(c.LeadTimeSeconds) }));
    }
}

/// <summary>A change in a list: its time, and its first successful deployment in the environment (null while undeployed).</summary>
internal sealed record ChangeItem(string System, string Identifier, string Timestamp, string? FirstDeployment, string? DeployedAt, long? LeadTimeSeconds);
