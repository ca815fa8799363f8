using Stride.Core.Events;
using Stride.Server.Auth;
using Stride.Server.Lists;
using Stride.Storage;

namespace Stride.Server.Incidents;

/// <summary>Incidents of a window, newest first, with the deployment each is attributed to.</summary>
internal static class IncidentsApi
{
    public static RouteGroupBuilder MapIncidentsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/incidents").WithTags("Incidents").RequireScope(Scopes.Read);
        group.MapGet("/", ListAsync).WithName("ListIncidents")
            .WithSummary("Incidents created in a window, newest first, with their attributed deployment in the environment");
        return group;
    }

    private static Task<IResult> ListAsync(HttpContext http, IEventStore store, TimeProvider time, CancellationToken ct)
        => ListRoute.AnswerAsync(http, time, (org, query) => store.ListIncidentsAsync(org, query, ct), IncidentItem.From,
            ["system", "identifier", "timestampCreated", "timestampResolved", "deployment", "attributedDeployment"],
            i => [i.System, i.Identifier, i.TimestampCreated, i.TimestampResolved, i.Deployment, i.AttributedDeployment]);
}

/// <summary>An incident in a list (times as RFC 3339 UTC; <c>timestampResolved</c> null while open).</summary>
internal sealed record IncidentItem(
    string System, string Identifier, string TimestampCreated, string? TimestampResolved, string? Deployment, string? AttributedDeployment)
{
    public static IncidentItem From(IncidentRow row) => new(
        row.System, row.Identifier, Timestamps.ToRfc3339(row.Created), row.Resolved is { } r ? Timestamps.ToRfc3339(r) : null,
        row.Deployment, row.AttributedDeployment);
}
