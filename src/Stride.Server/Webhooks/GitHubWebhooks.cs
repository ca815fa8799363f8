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

    /// <summary>
    /// The <see cref="Stride.Core.Events.Push"/> a provider's push hook adds to its changes, for commit chains (SPEC §4.4):
    /// null when the push moved no branch forward (a deleted branch, <paramref name="after"/> all zeros)
    /// or brought no commits.
    /// </summary>
    /// <param name="changes">The push's changes, in the payload's order.</param>
    /// <remarks>
    /// Providers list the commits oldest first, ending with the new head; a list given the other way
    /// round (head first) is turned around, since the chain walk reads each push's commits up to a
    /// deployed commit. An all-zeros <paramref name="before"/> (a new branch) is kept as unknown.
    /// </remarks>
    internal static Stride.Core.Events.Push? ChainPush(string system, string? after, string? before, IReadOnlyList<Event> changes)
    {
        if (after is null || after.All(c => c == '0') || changes.Count == 0)
        {
            return null;
        }

        var commits = changes.Select(c => c.Identifier).ToList();
        if (commits.Count > 1 && commits[0] == after && commits[^1] != after)
        {
            commits.Reverse();
        }

        return new Stride.Core.Events.Push(system, after, before is null || before.All(c => c == '0') ? null : before, commits);
    }

    private static List<Event> Push(JsonElement root, WebhookPayload payload)
    {
        var system = RepositorySystem(root, payload);
        var commits = payload.Array(root, "commits", "commits");
        var events = new List<Event>();
        var after = payload.Text(root, "after", "after");
        var before = payload.Text(root, "before", "before", required: false);
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

        if (ChainPush(system, after, before, events) is { } push)
        {
            events.Add(push);
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

        // The deployment names its head commit and lists no changes: the store gives it every commit
        // pushed on the chain since the previously deployed commit (commit chains, SPEC §4.4).
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
