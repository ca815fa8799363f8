using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Stride.Core.Events;

namespace Stride.Server.Webhooks;

/// <summary>Maps PagerDuty webhooks (SPEC §4.4): V3 <c>incident.triggered</c>/<c>incident.resolved</c>, and the V2 <c>messages[]</c> form.</summary>
/// <remarks>See docs/integrations/pagerduty.md for the mapping field by field.</remarks>
internal static class PagerDutyWebhooks
{
    public static WebhookMapping Map(JsonElement root, IHeaderDictionary headers, WebhookPayload payload)
    {
        if (root.TryGetProperty("messages", out _))
        {
            return V2(root, payload);
        }

        if (payload.Object(root, "event", "event") is not { } e)
        {
            return new WebhookMapping([], null);
        }

        var delivery = payload.Text(e, "id", "event.id", required: false);
        var type = payload.Text(e, "event_type", "event.event_type");
        if (type is not ("incident.triggered" or "incident.resolved"))
        {
            return new WebhookMapping([], delivery);
        }

        var occurred = payload.Time(e, "occurred_at", "event.occurred_at");
        if (payload.Object(e, "data", "event.data") is not { } data)
        {
            return new WebhookMapping([], delivery);
        }

        var id = payload.Text(data, "id", "event.data.id");
        var system = payload.System(ServiceName(data, "summary"), "event.data.service.summary");

        // A resolution carries the incident's creation time, so that a resolved incident whose
        // trigger was never received still has both ends.
        var created = type == "incident.triggered" ? occurred : payload.Time(data, "created_at", "event.data.created_at");
        var resolved = type == "incident.resolved" ? occurred : null;
        return payload.Ok
            ? new WebhookMapping([new Incident(system, id!, created!.Value, resolved, null)], delivery)
            : new WebhookMapping([], delivery);
    }

    private static WebhookMapping V2(JsonElement root, WebhookPayload payload)
    {
        var events = new List<Event>();
        var ids = new List<string>();
        if (payload.Array(root, "messages", "messages") is not { } messages)
        {
            return new WebhookMapping(events, null);
        }

        var i = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var path = $"messages[{i++}]";
            if (payload.Text(message, "id", $"{path}.id", required: false) is { } messageId)
            {
                ids.Add(messageId);
            }

            var kind = payload.Text(message, "event", $"{path}.event");
            if (kind is not ("incident.trigger" or "incident.resolve") || payload.Object(message, "incident", $"{path}.incident") is not { } incident)
            {
                continue;
            }

            var id = payload.Text(incident, "id", $"{path}.incident.id");
            var created = payload.Time(incident, "created_at", $"{path}.incident.created_at");
            var resolved = kind == "incident.resolve" ? payload.Time(incident, "last_status_change_at", $"{path}.incident.last_status_change_at") : null;
            var system = payload.System(ServiceName(incident, "name"), $"{path}.incident.service.name");
            if (id is not null && created is { } c)
            {
                events.Add(new Incident(system, id, c, resolved, null));
            }
        }

        // One delivery may hold several messages; their ids together name it.
        var delivery = ids.Count == 0 ? null
            : ids.Count == 1 ? ids[0]
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', ids))));
        return new WebhookMapping(events, delivery);
    }

    private static string? ServiceName(JsonElement parent, string field)
        => parent.TryGetProperty("service", out var service) && service.ValueKind == JsonValueKind.Object
            && service.TryGetProperty(field, out var name) && name.ValueKind == JsonValueKind.String
                ? name.GetString()
                : null;
}
