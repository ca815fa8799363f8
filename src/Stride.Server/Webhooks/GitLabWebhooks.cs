using System.Text.Json;
using Stride.Core.Events;

namespace Stride.Server.Webhooks;

/// <summary>Maps GitLab webhook deliveries (SPEC §4.4): push, deployment and issue hooks.</summary>
/// <remarks>See docs/integrations/gitlab.md for the mapping field by field.</remarks>
internal static class GitLabWebhooks
{
    public static WebhookMapping Map(JsonElement root, IHeaderDictionary headers, WebhookPayload payload)
    {
        // Idempotency-Key stays the same when GitLab retries a delivery; X-Gitlab-Event-UUID is the older header.
        var delivery = GitHubWebhooks.Header(headers, "Idempotency-Key") ?? GitHubWebhooks.Header(headers, "X-Gitlab-Event-UUID");
        // The header names the hook; a body replayed without it still says what it is in object_kind.
        var kind = GitHubWebhooks.Header(headers, "X-Gitlab-Event") ?? ObjectKind(root);
        if (kind is null)
        {
            payload.Fail("X-Gitlab-Event", "is required: GitLab names the hook in this header with every delivery.");
            return new WebhookMapping([], delivery);
        }

        var events = kind switch
        {
            "Push Hook" => Push(root, payload),
            "Deployment Hook" => Deployment(root, payload),
            "Issue Hook" => Issue(root, payload),
            _ => [],
        };
        return new WebhookMapping(events, delivery);
    }

    private static string? ObjectKind(JsonElement root)
        => root.TryGetProperty("object_kind", out var kind) && kind.ValueKind == JsonValueKind.String
            ? kind.GetString() switch
            {
                "push" => "Push Hook",
                "deployment" => "Deployment Hook",
                "issue" => "Issue Hook",
                var other => other,
            }
            : null;

    private static List<Event> Push(JsonElement root, WebhookPayload payload)
    {
        var system = ProjectSystem(root, payload);
        var events = new List<Event>();
        var after = payload.Text(root, "after", "after");
        var before = payload.Text(root, "before", "before", required: false);
        if (payload.Array(root, "commits", "commits") is not { } commits)
        {
            return events;
        }

        var i = 0;
        foreach (var commit in commits.EnumerateArray())
        {
            var id = payload.Text(commit, "id", $"commits[{i}].id");
            var timestamp = payload.Time(commit, "timestamp", $"commits[{i}].timestamp");
            if (id is not null && timestamp is { } ts)
            {
                events.Add(new Change(system, id, ts));
            }

            i++;
        }

        if (GitHubWebhooks.ChainPush(system, after, before, events) is { } push)
        {
            events.Add(push);
        }

        return events;
    }

    private static List<Event> Deployment(JsonElement root, WebhookPayload payload)
    {
        var status = payload.Text(root, "status", "status")?.ToLowerInvariant();
        DeploymentResult? result = status switch
        {
            "success" => DeploymentResult.Success,
            "failed" => DeploymentResult.Failure,
            "canceled" => DeploymentResult.Aborted,
            _ => null,   // created, running: not finished
        };
        if (result is null)
        {
            return [];
        }

        var system = ProjectSystem(root, payload);
        var id = payload.Text(root, "deployment_id", "deployment_id", required: false)
            ?? payload.Text(root, "deployable_id", "deployment_id");
        var finished = payload.Time(root, "status_changed_at", "status_changed_at");
        var environment = payload.Text(root, "environment", "environment", required: false, maxLength: Ingestion.EventValidator.MaxEnvironmentLength);
        if (!payload.Ok)
        {
            return [];
        }

        // The deployment names its head commit and lists no changes: the store gives it every commit
        // pushed on the chain since the previously deployed commit (commit chains, SPEC §4.4).
        return [new Deployment(system, id!, finished!.Value, EnvironmentName.Normalize(environment), result.Value, [], [], Commit(root, payload), false)];
    }

    /// <summary>The deployed commit: <c>sha</c> when sent, else the last segment of <c>commit_url</c>, else <c>short_sha</c>.</summary>
    private static string? Commit(JsonElement root, WebhookPayload payload)
    {
        if (payload.Text(root, "sha", "sha", required: false) is { } sha)
        {
            return sha;
        }

        var url = payload.Text(root, "commit_url", "commit_url", required: false, maxLength: int.MaxValue);
        var fromUrl = url?.TrimEnd('/')[(url.TrimEnd('/').LastIndexOf('/') + 1)..];
        return !string.IsNullOrEmpty(fromUrl) && fromUrl.Length <= Ingestion.EventValidator.MaxIdentifierLength
            ? fromUrl
            : payload.Text(root, "short_sha", "short_sha", required: false);
    }

    private static List<Event> Issue(JsonElement root, WebhookPayload payload)
    {
        if (payload.Object(root, "object_attributes", "object_attributes") is not { } issue)
        {
            return [];
        }

        var action = payload.Text(issue, "action", "object_attributes.action", required: false);
        if (action is not ("open" or "close") || !IsIncident(root, issue))
        {
            return [];
        }

        var system = ProjectSystem(root, payload);
        var iid = payload.Text(issue, "iid", "object_attributes.iid");
        var created = payload.Time(issue, "created_at", "object_attributes.created_at");
        var resolved = action == "close"
            ? payload.Time(issue, "closed_at", "object_attributes.closed_at", required: false)
                ?? payload.Time(issue, "updated_at", "object_attributes.closed_at")
            : null;
        return payload.Ok ? [new Incident(system, iid!, created!.Value, resolved, null)] : [];
    }

    /// <summary>An issue labelled <c>incident</c>, or one of GitLab's own incident type.</summary>
    private static bool IsIncident(JsonElement root, JsonElement issue)
    {
        if (issue.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            && string.Equals(type.GetString(), "Incident", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return HasLabel(root) || HasLabel(issue);

        static bool HasLabel(JsonElement parent)
            => parent.TryGetProperty("labels", out var labels) && labels.ValueKind == JsonValueKind.Array
                && labels.EnumerateArray().Any(l => l.ValueKind == JsonValueKind.Object && l.TryGetProperty("title", out var title)
                    && title.ValueKind == JsonValueKind.String
                    && string.Equals(title.GetString(), GitHubWebhooks.IncidentLabel, StringComparison.OrdinalIgnoreCase));
    }

    private static string ProjectSystem(JsonElement root, WebhookPayload payload)
    {
        if (payload.HasQuerySystem)
        {
            return payload.System(null, "system");
        }

        var project = payload.Object(root, "project", "project");
        var url = project is { } p ? payload.Text(p, "web_url", "project.web_url", maxLength: int.MaxValue) : null;
        return payload.System(url, "project.web_url");
    }
}
