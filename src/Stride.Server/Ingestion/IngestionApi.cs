using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Stride.Core.Events;
using Stride.Server.Auth;
using Stride.Server.Limits;
using Stride.Server.Operations;
using Stride.Storage;

namespace Stride.Server.Ingestion;

/// <summary>Native ingestion (SPEC §4.1): changes, deployments, incidents, and mixed batches.</summary>
internal static class IngestionApi
{
    public static RouteGroupBuilder MapIngestionApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1").WithTags("Ingestion").RequireScope(Scopes.Ingest).WithoutRequestTimeout();
        group.MapPost("/changes", (HttpContext http, IEventStore store, StoredEventCounters counters, CancellationToken ct) => IngestAsync(http, store, counters, "change", ct))
            .WithName("PostChanges").WithSummary("Push one change or an array of changes");
        group.MapPost("/deployments", (HttpContext http, IEventStore store, StoredEventCounters counters, CancellationToken ct) => IngestAsync(http, store, counters, "deployment", ct))
            .WithName("PostDeployments").WithSummary("Push one deployment or an array of deployments");
        group.MapPost("/incidents", (HttpContext http, IEventStore store, StoredEventCounters counters, CancellationToken ct) => IngestAsync(http, store, counters, "incident", ct))
            .WithName("PostIncidents").WithSummary("Push one incident or an array of incidents");
        group.MapPost("/events", (HttpContext http, IEventStore store, StoredEventCounters counters, CancellationToken ct) => IngestAsync(http, store, counters, null, ct))
            .WithName("PostEvents").WithSummary("Push a batch of typed events as a JSON array or NDJSON, stored atomically");
        return group;
    }

    private static async Task<Results<Ok<StoredResponse>, ValidationProblem>> IngestAsync(
        HttpContext http, IEventStore store, StoredEventCounters counters, string? type, CancellationToken ct)
    {
        var body = await EventReader.ReadBodyAsync(http.Request.BodyReader, ct);
        List<Event> events;
        try
        {
            var parsed = EventReader.Parse(body, Json.Item, Json.List);
            if (parsed.Error is { } error)
            {
                return IngestionProblems.From([error]);
            }

            var (valid, errors) = EventValidator.Validate(parsed.Items, parsed.IsBatch, type);
            if (errors.Count > 0)
            {
                return IngestionProblems.From(errors);
            }

            events = valid;
        }
        finally
        {
            http.Request.BodyReader.AdvanceTo(body.End);
        }

        var organization = http.User.Organization();
        var stored = await store.AppendAsync(organization, events, ct);
        counters.Count(organization, events);
        return TypedResults.Ok(new StoredResponse(stored));
    }

    private static class Json
    {
        public static readonly JsonTypeInfo<EventItem> Item = IngestionJsonContext.Default.EventItem;
        public static readonly JsonTypeInfo<List<EventItem?>> List = IngestionJsonContext.Default.ListEventItem;
    }
}

/// <summary>The answer to an accepted ingestion request: how many events were stored.</summary>
internal sealed record StoredResponse(int Stored);
