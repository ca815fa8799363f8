using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Stride.Core.Events;
using Stride.Server.Auth;
using Stride.Server.Limits;
using Stride.Server.Operations;
using Stride.Storage;

namespace Stride.Server.Ingestion;

/// <summary>
/// The Pulse-compatible route (SPEC §4.2): one event per request, as Codacy's pulse-event-cli
/// sends it, with the key and system in the query string.
/// </summary>
internal static class PulseApi
{
    public static RouteGroupBuilder MapPulseApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/ingestion").WithTags("Ingestion").RequireScope(Scopes.Ingest).WithoutRequestTimeout();
        group.MapPost("/cli", PostCliEventAsync)
            .WithName("PostPulseCliEvent").WithSummary("Push one event in pulse-event-cli's format");
        return group;
    }

    // The CLI's Environment and CLI-Version headers describe where the CLI ran; they are accepted and not needed.
    private static async Task<Results<StoredResult, ValidationProblem>> PostCliEventAsync(
        HttpContext http, IEventStore store, StoredEventCounters counters, string? system, CancellationToken ct)
    {
        var body = await EventReader.ReadBodyAsync(http.Request.BodyReader, ct);
        Event? e;
        try
        {
            var parsed = EventReader.Parse(body, PulseJsonContext.Default.PulseEvent, PulseJsonContext.Default.ListPulseEvent);
            if (parsed.Error is { } error)
            {
                return IngestionProblems.From([error]);
            }

            if (parsed.Items.Count != 1 || parsed.IsBatch)
            {
                return IngestionProblems.From([new IngestionError(null, "", "must hold exactly one event object.")]);
            }

            var errors = new List<IngestionError>();
            e = ToEvent(parsed.Items[0], system, errors);
            if (errors.Count > 0)
            {
                return IngestionProblems.From(errors);
            }
        }
        finally
        {
            http.Request.BodyReader.AdvanceTo(body.End);
        }

        Event[] events = [e!];
        var organization = http.User.Organization();
        var stored = await store.AppendAsync(organization, events, ct);
        counters.Count(organization, events);
        return new StoredResult(stored);
    }

    private static Event? ToEvent(PulseEvent item, string? querySystem, List<IngestionError> errors)
    {
        var check = new ItemCheck(null, errors);
        var system = SystemName.Normalize(check.Text("system", querySystem, EventValidator.MaxSystemLength));
        var type = item.Type?.Trim().ToLowerInvariant();
        var (idField, id) = type switch
        {
            "change" => ("change_id", item.ChangeId),
            "deployment" => ("deploy_id", item.DeployId),
            "incident" => ("incident_id", item.IncidentId),
            _ => ("", null),
        };

        if (idField.Length == 0)
        {
            check.Fail("$type", item.Type is null
                ? "is required: one of 'change', 'deployment', 'incident'."
                : $"'{EventValidator.Shorten(item.Type)}' is unknown: use 'change', 'deployment' or 'incident'.");
            return null;
        }

        var identifier = check.Identifier(idField, id, required: true);
        var created = check.Required("time_created", item.TimeCreated);
        var changes = check.List("changes", item.Changes, EventValidator.MaxChanges, EventValidator.MaxIdentifierLength);
        var teams = check.List("teams", item.Teams, EventValidator.MaxTeams, EventValidator.MaxTeamLength);
        if (!check.Ok)
        {
            return null;
        }

        return type switch
        {
            "change" => new Change(system, identifier!, created!.Value),
            "deployment" => new Deployment(system, identifier!, created!.Value, EnvironmentName.Production, DeploymentResult.Success, changes, teams, null, false),
            _ => new Incident(system, identifier!, created!.Value, item.TimeResolved, null),
        };
    }
}

/// <summary>An event in pulse-event-cli's wire format.</summary>
internal sealed class PulseEvent
{
    [JsonPropertyName("$type")]
    public string? Type { get; set; }

    public string? Source { get; set; }

    [JsonPropertyName("event_type")]
    public string? EventType { get; set; }

    [JsonPropertyName("change_id")]
    public string? ChangeId { get; set; }

    [JsonPropertyName("deploy_id")]
    public string? DeployId { get; set; }

    [JsonPropertyName("incident_id")]
    public string? IncidentId { get; set; }

    [JsonPropertyName("time_created")]
    [JsonConverter(typeof(PulseTimeConverter))]
    public long? TimeCreated { get; set; }

    [JsonPropertyName("time_resolved")]
    [JsonConverter(typeof(PulseTimeConverter))]
    public long? TimeResolved { get; set; }

    public List<string?>? Changes { get; set; }

    public List<string?>? Teams { get; set; }
}

/// <summary>
/// Pulse times: RFC 3339 as Go writes them. Go's zero time (<c>0001-01-01T00:00:00Z</c>), which
/// the CLI sends for an unset time, means "no time".
/// </summary>
internal sealed class PulseTimeConverter : JsonConverter<long?>
{
    private static readonly TimestampConverter Inner = new();

    public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("0001-01-01T00:00:00Z")
            ? null
            : Inner.Read(ref reader, typeToConvert, options);

    public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options)
        => throw new NotSupportedException("Timestamps are only read.");
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, AllowDuplicateProperties = false, MaxDepth = 16)]
[JsonSerializable(typeof(PulseEvent))]
[JsonSerializable(typeof(List<PulseEvent?>))]
internal sealed partial class PulseJsonContext : JsonSerializerContext;
