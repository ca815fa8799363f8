using System.Text.Json;
using Stride.Core.Events;
using Stride.Core.Metrics;
using Stride.Server.Ingestion;
using Stride.Storage;

namespace Stride.Server.Connections;

/// <summary>Turns DevLake webhook bodies (SPEC §4.3) into Stride events, or into the errors that name what is wrong.</summary>
internal static class DevLakeMapping
{
    /// <summary>Commits one deployment request may list; far above what a release holds.</summary>
    public const int MaxCommits = 10_000;

    private const int MaxErrors = 100;

    /// <summary>The longest issue type kept: far above any tracker's type names.</summary>
    private const int MaxTypeLength = 100;
    private const string Commits = "deploymentCommits";

    /// <summary>The issue statuses DevLake accepts (compared case-insensitively).</summary>
    private static readonly string[] Statuses = ["TODO", "IN_PROGRESS", "DONE"];

    /// <summary>
    /// One Stride deployment per entry of <c>deploymentCommits</c>: system = the normalized <c>repoUrl</c>,
    /// identifier = the DevLake <c>id</c>, timestamp = <c>finishedDate</c>, commit = <c>commitSha</c>.
    /// </summary>
    /// <remarks>
    /// A deployment's key is (system, environment, identifier), so two commits of the same repository in one
    /// request would replace each other. Commits of a repository that appears more than once are therefore
    /// identified as <c>{id}#{n}</c>, n being the commit's 0-based position in <c>deploymentCommits</c> (the same
    /// index errors use): deterministic, so a retried request replaces exactly what the first one stored.
    /// </remarks>
    public static (List<Event> Events, List<DevLakeError> Errors) ToDeployments(JsonElement body)
    {
        var errors = new List<DevLakeError>();
        var events = new List<Event>();
        var root = new DevLakeObject(body, "", null, errors);
        var id = root.Text("id", required: true, EventValidator.MaxIdentifierLength);
        root.Date("startedDate", required: true);
        var finished = root.Date("finishedDate", required: true);
        root.Date("createdDate", required: false);
        var result = Result(root, DeploymentResult.Success);
        var environment = root.Text("environment", required: false, EventValidator.MaxEnvironmentLength);

        var commits = new List<(string System, string Sha, DeploymentResult Result, int Index)>();
        switch (root.Raw(Commits))
        {
            case null:
                root.Fail(Commits, "is required: a non-empty array of {\"repoUrl\", \"commitSha\"} objects.");
                break;
            case { ValueKind: JsonValueKind.Array } array when array.GetArrayLength() is 0 or > MaxCommits:
                root.Fail(Commits, $"must hold 1 to {MaxCommits} commits.");
                break;
            case { ValueKind: JsonValueKind.Array } array:
                var index = 0;
                foreach (var item in array.EnumerateArray())
                {
                    if (errors.Count >= MaxErrors)
                    {
                        break;
                    }

                    var path = $"{Commits}[{index}].";
                    if (item.ValueKind != JsonValueKind.Object)
                    {
                        errors.Add(new DevLakeError($"{Commits}[{index}]", "must be an object with \"repoUrl\" and \"commitSha\".", index));
                        index++;
                        continue;
                    }

                    var commit = new DevLakeObject(item, path, index, errors);
                    var repoUrl = commit.Text("repoUrl", required: true, EventValidator.MaxSystemLength);
                    var sha = commit.Text("commitSha", required: true, EventValidator.MaxIdentifierLength);
                    var own = Result(commit, result);
                    if (repoUrl is not null && sha is not null)
                    {
                        commits.Add((SystemName.Normalize(repoUrl), sha, own, index));
                    }

                    index++;
                }

                break;
            default:
                root.Fail(Commits, "must be an array of {\"repoUrl\", \"commitSha\"} objects.");
                break;
        }

        if (errors.Count > 0)
        {
            return (events, errors);
        }

        var repeated = commits.GroupBy(c => c.System, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var env = EnvironmentName.Normalize(environment);
        foreach (var (system, sha, own, index) in commits)
        {
            var identifier = repeated.Contains(system) ? $"{id}#{index}" : id!;
            if (identifier.Length > EventValidator.MaxIdentifierLength)
            {
                errors.Add(new DevLakeError("id", $"is too long: with the commit's position it exceeds {EventValidator.MaxIdentifierLength} characters."));
                return (events, errors);
            }

            events.Add(new Deployment(system, identifier, finished!.Value, env, own, [], [], sha, Rework: false));
        }

        return (events, errors);
    }

    /// <summary>
    /// A DevLake issue, kept whatever its type (system = <c>component</c>, else <c>_unknown_</c>); an
    /// <c>INCIDENT</c> also becomes a Stride incident of the same system (null for other types).
    /// </summary>
    /// <param name="body">The request body.</param>
    public static (IssueRecord? Issue, Incident? Incident, List<DevLakeError> Errors) ToIssue(JsonElement body)
    {
        var errors = new List<DevLakeError>();
        var issue = new DevLakeObject(body, "", null, errors);
        var key = issue.Text("issueKey", required: true, EventValidator.MaxIdentifierLength);
        issue.Text("title", required: true, freeText: true);
        var status = issue.Text("status", required: true)?.ToUpperInvariant();
        if (status is not null && !Statuses.Contains(status))
        {
            issue.Fail("status", "must be TODO, IN_PROGRESS or DONE.");
        }

        var created = issue.Date("createdDate", required: true);
        var resolved = issue.Date("resolutionDate", required: false);
        var type = issue.Text("type", required: false, MaxTypeLength)?.ToUpperInvariant() ?? "";
        var component = issue.Text("component", required: false, EventValidator.MaxSystemLength);
        var storyPoint = StoryPoint(issue);
        if (errors.Count > 0)
        {
            return (null, null, errors);
        }

        // A resolution before the creation is kept as sent, as on the native API: the metrics leave it out.
        // SPEC §2: a missing or empty system is _unknown_, for the issue and its incident alike.
        var system = SystemName.Normalize(component);
        var record = new IssueRecord(system, key!, type, status!, storyPoint, created!.Value, resolved);
        return type == IssueMetrics.Incident
            ? (record, new Incident(system, key!, created.Value, resolved, Deployment: null), errors)
            : (record, null, errors);
    }

    /// <summary><c>storyPoint</c>: a number ≥ 0, or null when missing or null.</summary>
    /// <remarks>DevLake's Go decoder reads it into a float, so a number given as text is refused there too.</remarks>
    private static double? StoryPoint(DevLakeObject issue)
    {
        switch (issue.Raw("storyPoint"))
        {
            case null:
                return null;
            case { ValueKind: JsonValueKind.Number } n when n.TryGetDouble(out var value) && double.IsFinite(value) && value >= 0:
                return value;
            default:
                issue.Fail("storyPoint", "must be a number, 0 or more.");
                return null;
        }
    }

    /// <summary>
    /// DevLake's result names, case-insensitive: <c>SUCCESS</c>; <c>FAILURE</c> (or FAILED, FAIL, ERROR);
    /// <c>ABORTED</c> (or ABORT, CANCELLED, CANCELED, MANUAL, SKIPPED: not a finished success, so not counted).
    /// </summary>
    private static DeploymentResult Result(DevLakeObject json, DeploymentResult fallback)
    {
        var text = json.Text("result", required: false);
        switch (text?.ToUpperInvariant())
        {
            case null:
                return fallback;
            case "SUCCESS" or "SUCCEEDED" or "SUCCESSFUL":
                return DeploymentResult.Success;
            case "FAILURE" or "FAILED" or "FAIL" or "ERROR":
                return DeploymentResult.Failure;
            case "ABORTED" or "ABORT" or "CANCELLED" or "CANCELED" or "MANUAL" or "SKIPPED":
                return DeploymentResult.Aborted;
            default:
                json.Fail("result", "must be SUCCESS, FAILURE or ABORTED.");
                return fallback;
        }
    }
}
