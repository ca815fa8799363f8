using System.Text.Json;
using Stride.Core.Events;

namespace Stride.Server.Webhooks;

/// <summary>Maps GitHub webhook deliveries (SPEC §4.4): <c>push</c>, <c>deployment_status</c>, <c>issues</c> labelled <c>incident</c>.</summary>
/// <remarks>See docs/integrations/github.md for the mapping field by field.</remarks>
internal static class GitHubWebhooks
{
    public const string IncidentLabel = "incident";

    public static WebhookMapping Map(JsonElement root, IHeaderDictionary headers, WebhookPayload payload)
    {
        var delivery = Header(headers, "X-GitHub-Delivery");
        var kind = Header(headers, "X-GitHub-Event");
        if (kind is null)
        {
            payload.Fail("X-GitHub-Event", "is required: GitHub names the event in this header with every delivery.");
            return new WebhookMapping([], delivery);
        }

        var events = kind switch
        {
            "push" => Push(root, payload),
            "deployment_status" => DeploymentStatus(root, payload),
            "issues" => Issue(root, payload),
            _ => [],   // ping and every other event: nothing to store
        };
        return new WebhookMapping(events, delivery);
    }

    internal static string? Header(IHeaderDictionary headers, string name)
        => headers.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value.ToString()) ? value.ToString().Trim() : null;

    private static List<Event> Push(JsonElement root, WebhookPayload payload)
    {
        var system = RepositorySystem(root, payload);
        var commits = payload.Array(root, "commits", "commits");
        var events = new List<Event>();
        if (commits is not { } list)
        {
            return events;
        }

        var i = 0;
        foreach (var commit in list.EnumerateArray())
        {
            var id = payload.Text(commit, "id", $"commits[{i}].id");
            var timestamp = payload.Time(commit, "timestamp", $"commits[{i}].timestamp");
            if (id is not null && timestamp is { } ts)
            {
                events.Add(new Change(system, id, ts));
            }

            i++;
        }

        return events;
    }

    private static List<Event> DeploymentStatus(JsonElement root, WebhookPayload payload)
    {
        var status = payload.Object(root, "deployment_status", "deployment_status");
        var deployment = payload.Object(root, "deployment", "deployment");
        if (status is not { } s || deployment is not { } d)
        {
            return [];
        }

        var state = payload.Text(s, "state", "deployment_status.state")?.ToLowerInvariant();
        DeploymentResult? result = state switch
        {
            "success" => DeploymentResult.Success,
            "failure" or "error" => DeploymentResult.Failure,
            _ => null,   // queued, pending, in_progress, inactive: not finished
        };
        if (result is null)
        {
            return [];
        }

        var system = RepositorySystem(root, payload);
        var id = payload.Text(d, "id", "deployment.id");
        var finished = payload.Time(s, "updated_at", "deployment_status.updated_at", required: false)
            ?? payload.Time(s, "created_at", "deployment_status.created_at");
        var environment = payload.Text(d, "environment", "deployment.environment", required: false, maxLength: Ingestion.EventValidator.MaxEnvironmentLength);
        var sha = payload.Text(d, "sha", "deployment.sha", required: false);
        if (!payload.Ok)
        {
            return [];
        }

        // Commit chains (every commit pushed since the previous deployment) are later work: the
        // deployment keeps its head commit and lists no changes.
        return [new Deployment(system, id!, finished!.Value, EnvironmentName.Normalize(environment), result.Value, [], [], sha, false)];
    }

    private static List<Event> Issue(JsonElement root, WebhookPayload payload)
    {
        var action = payload.Text(root, "action", "action");
        if (action is not ("opened" or "closed") || payload.Object(root, "issue", "issue") is not { } issue
            || !HasIncidentLabel(issue, payload))
        {
            return [];
        }

        var system = RepositorySystem(root, payload);
        var number = payload.Text(issue, "number", "issue.number");
        var created = payload.Time(issue, "created_at", "issue.created_at");
        var closed = action == "closed" ? payload.Time(issue, "closed_at", "issue.closed_at") : null;
        return payload.Ok ? [new Incident(system, number!, created!.Value, closed, null)] : [];
    }

    private static bool HasIncidentLabel(JsonElement issue, WebhookPayload payload)
    {
        if (payload.Array(issue, "labels", "issue.labels", required: false) is not { } labels)
        {
            return false;
        }

        return labels.EnumerateArray().Any(l => l.ValueKind == JsonValueKind.Object && l.TryGetProperty("name", out var name)
            && name.ValueKind == JsonValueKind.String && string.Equals(name.GetString(), IncidentLabel, StringComparison.OrdinalIgnoreCase));
    }

    private static string RepositorySystem(JsonElement root, WebhookPayload payload)
    {
        if (payload.HasQuerySystem)
        {
            return payload.System(null, "system");
        }

        var repository = payload.Object(root, "repository", "repository");
        var url = repository is { } r ? payload.Text(r, "html_url", "repository.html_url", maxLength: int.MaxValue) : null;
        return payload.System(url, "repository.html_url");
    }
}
