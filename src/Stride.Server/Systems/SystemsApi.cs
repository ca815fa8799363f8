using Stride.Core.Events;
using Stride.Server.Auth;
using Stride.Storage;

namespace Stride.Server.Systems;

/// <summary>The systems an organization has sent events for.</summary>
internal static class SystemsApi
{
    public static RouteGroupBuilder MapSystemsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/systems").WithTags("Systems").RequireScope(Scopes.Read);
        group.MapGet("/", ListAsync).WithName("ListSystems")
            .WithSummary("Every system with events, by name, with its successful deployments in the environment");
        return group;
    }

    private static async Task<IReadOnlyList<SystemItem>> ListAsync(HttpContext http, IEventStore store, string? environment, CancellationToken ct)
    {
        var systems = await store.ListSystemsAsync(http.User.Organization(), EnvironmentName.Normalize(environment), ct);
        return systems.Select(s => new SystemItem(s.Name, s.Deployments, s.LastDeploymentAt is { } t ? Timestamps.ToRfc3339(t) : null)).ToList();
    }
}

/// <summary>A system, its number of successful deployments in the environment and the time of the last.</summary>
internal sealed record SystemItem(string Name, int Deployments, string? LastDeploymentAt);
