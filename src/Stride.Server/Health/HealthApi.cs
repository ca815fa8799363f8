using Microsoft.AspNetCore.Http.HttpResults;
using Stride.Storage;

namespace Stride.Server.Health;

/// <summary>Liveness and readiness for load balancers and orchestrators (SPEC §4.7). No key needed.</summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => TypedResults.Ok(new HealthResponse("ok")))
            .WithName("GetHealth").WithSummary("The process is alive").WithTags("Health").AllowAnonymous();
        routes.MapGet("/readyz", GetReadyAsync)
            .WithName("GetReadiness").WithSummary("The store answers").WithTags("Health").AllowAnonymous();
        return routes;
    }

    private static async Task<Results<Ok<HealthResponse>, ProblemHttpResult>> GetReadyAsync(IEventStore store, CancellationToken ct)
        => await store.IsReadyAsync(ct)
            ? TypedResults.Ok(new HealthResponse("ready"))
            : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, detail: "The database does not answer.");
}

internal sealed record HealthResponse(string Status);
