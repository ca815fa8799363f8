using Stride.Server.OpenApi;

namespace Stride.Server.Connections;

/// <summary>The API document's entries for the connection routes, kept beside them so that <see cref="Operations"/> stays a list.</summary>
internal static class ConnectionExamples
{
    public const string Created = """
        {"id": 1, "name": "checkout service", "apiKey": "stride_q3bT1x…", "postDeploymentsEndpoint": "https://stride.example.com/api/rest/plugins/webhook/connections/1/deployments", "postIssuesEndpoint": "https://stride.example.com/api/rest/plugins/webhook/connections/1/issues", "closeIssuesEndpoint": "https://stride.example.com/api/rest/plugins/webhook/connections/1/issue/:issueKey/close"}
        """;

    public const string List = """
        [{"id": 1, "name": "checkout service", "keyId": 7, "createdAt": "2026-11-20T09:00:00Z", "postDeploymentsEndpoint": "https://stride.example.com/api/rest/plugins/webhook/connections/1/deployments", "postIssuesEndpoint": "https://stride.example.com/api/rest/plugins/webhook/connections/1/issues", "closeIssuesEndpoint": "https://stride.example.com/api/rest/plugins/webhook/connections/1/issue/:issueKey/close"}]
        """;

    public const string InvalidName = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "One or more validation errors occurred.", "status": 400, "detail": "The connection needs a name, so that people can tell connections apart.", "errors": {"name": ["is required: 1 to 100 characters."]}, "traceId": "0HNQ8P10AN7R9:00000001"}
        """;

    public const string Success = """{"success": true, "message": "success"}""";

    public const string DeploymentBody = """
        {"id": "release-2026.11.20", "startedDate": "2026-11-20T10:00:00+00:00", "finishedDate": "2026-11-20T10:20:00+00:00", "result": "SUCCESS", "environment": "PRODUCTION", "deploymentCommits": [{"repoUrl": "https://github.com/acme/api.git", "refName": "main", "commitSha": "015e3d3b480e417aede5a1293bd61de9b0fd051d", "commitMsg": "Fix checkout"}, {"repoUrl": "https://github.com/acme/web", "commitSha": "9f1c2a7d0b", "result": "FAILURE"}]}
        """;

    public const string IssueBody = """
        {"issueKey": "INC-42", "title": "Checkout errors", "type": "INCIDENT", "status": "TODO", "originalStatus": "triggered", "createdDate": "2026-11-20 11:00:00", "resolutionDate": null, "component": "github.com/acme/api"}
        """;

    private const string InvalidCommit = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "One or more validation errors occurred.", "status": 400, "detail": "'deploymentCommits[1].commitSha' is required. Nothing was stored.", "errors": {"deploymentCommits[1].commitSha": ["is required."]}, "index": 1, "traceId": "0HNQ8P10AN7RA:00000001"}
        """;

    private const string InvalidIssue = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "One or more validation errors occurred.", "status": 400, "detail": "'status' must be TODO, IN_PROGRESS or DONE. Nothing was stored.", "errors": {"status": ["must be TODO, IN_PROGRESS or DONE."]}, "traceId": "0HNQ8P10AN7RB:00000001"}
        """;

    private const string NoConnection = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "Not Found", "status": 404, "detail": "This organization has no connection 3.", "traceId": "0HNQ8P10AN7RD:00000001"}
        """;

    private const string NoIncident = """
        {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "Not Found", "status": 404, "detail": "This organization has no issue or incident 'INC-42'.", "traceId": "0HNQ8P10AN7RE:00000001"}
        """;

    private const string Keys = "Send the connection's key as `Authorization: Bearer <apiKey>`; it is refused (403) on every other connection's "
        + "routes and on every other route. An `admin` key of the organization may post here too.";

    private static readonly ErrorDoc MissingConnection = new(404, "An `admin` key named a connection its organization does not have.", NoConnection);

    private static readonly Dictionary<string, string> IdParameter = new() { ["id"] = "The connection's `id`, as created." };

    public static OperationDoc Deployments(bool legacy) => new(Legacy(legacy)
        + "A DevLake deployment: each entry of `deploymentCommits` becomes one Stride deployment of the system named by its `repoUrl` "
        + "(normalized to `host/org/repo`), identified by `id` (as `{id}#{n}`, n its position in the list, when a repository appears more "
        + "than once), at `finishedDate`, with `commitSha` as its commit and the deployment's `result` unless the commit gives its own. "
        + "Keys match case-insensitively and in snake_case; dates are RFC 3339, `2006-01-02 15:04:05` (UTC) or `2006-01-02`. "
        + $"All of the request is stored, or nothing. {Keys}")
    {
        Parameters = IdParameter,
        BodyExample = DeploymentBody,
        Ok = Success,
        Errors = [new(400, "A field is missing or invalid (named with its index in `deploymentCommits`); nothing was stored.", InvalidCommit),
            MissingConnection],
    };

    public static OperationDoc Issue(bool legacy) => new(Legacy(legacy)
        + "A DevLake issue of any type, kept for the issue metrics (`GET /api/v1/metrics/issues`) with its `type`, `status`, `storyPoint`, "
        + "`createdDate`, `resolutionDate` and system (`component`, else `_unknown_`); pushing the same `issueKey` again replaces it. "
        + "One of type `INCIDENT` also becomes a Stride incident: identifier `issueKey`, created at `createdDate`, resolved at "
        + "`resolutionDate` when given, of the same system. "
        + $"{Keys}")
    {
        Parameters = IdParameter,
        BodyExample = IssueBody,
        Ok = Success,
        Errors = [new(400, "A field is missing or invalid; nothing was stored.", InvalidIssue), MissingConnection],
    };

    public static OperationDoc Close(bool legacy) => new(Legacy(legacy)
        + "Closes the organization's issues with this key as DevLake does (status `DONE`) and resolves them, and the incident of that "
        + "identifier, now when still unresolved (a resolved one keeps its time). "
        + $"No body. {Keys}")
    {
        Parameters = new() { ["id"] = "The connection's `id`, as created.", ["issueKey"] = "The issue's `issueKey`." },
        Ok = Success,
        Errors = [new(404, "No issue or incident has this key, or an `admin` key named an unknown connection.", NoIncident)],
    };

    private static string Legacy(bool legacy) => legacy ? "The older form of the route, without `connections/`, as older DevLake docs show it. " : "";
}
