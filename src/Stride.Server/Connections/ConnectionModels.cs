namespace Stride.Server.Connections;

/// <summary>The body of <c>POST /api/v1/connections</c>.</summary>
/// <remarks>Checked in the handler, so that the problem names its field as the keys API does.</remarks>
internal sealed record CreateConnectionRequest(string? Name);

/// <summary>A created connection: its key, shown this once, and the URLs to paste into DevLake-style tooling.</summary>
/// <param name="CloseIssuesEndpoint">With DevLake's <c>:issueKey</c> placeholder for the issue's key.</param>
internal sealed record CreatedConnectionResponse(
    long Id, string Name, string ApiKey, string PostDeploymentsEndpoint, string PostIssuesEndpoint, string CloseIssuesEndpoint);

/// <summary>A connection as listed: no key, but the id of its key (to revoke it with <c>DELETE /api/v1/keys/{id}</c>).</summary>
internal sealed record ConnectionResponse(
    long Id, string Name, long KeyId, string CreatedAt, string PostDeploymentsEndpoint, string PostIssuesEndpoint, string CloseIssuesEndpoint);

/// <summary>DevLake's answer to an accepted webhook request.</summary>
internal sealed record DevLakeResponse(bool Success, string Message)
{
    public static readonly DevLakeResponse Done = new(true, "success");
}

/// <summary>A DevLake deployment, for the API document; the server reads the body itself, keys case-insensitively, snake_case too.</summary>
/// <param name="Id">The deployment's id; it becomes each Stride deployment's identifier.</param>
/// <param name="StartedDate">RFC 3339, <c>2006-01-02 15:04:05</c> (UTC) or <c>2006-01-02</c>.</param>
/// <param name="FinishedDate">The Stride deployments' timestamp; same forms.</param>
/// <param name="Result">SUCCESS (default), FAILURE or ABORTED.</param>
/// <param name="Environment">Default PRODUCTION; Stride keeps it lower-cased.</param>
/// <param name="DeploymentCommits">One Stride deployment each, of the system named by its <c>repoUrl</c>.</param>
internal sealed record DevLakeDeploymentRequest(
    string Id,
    string StartedDate,
    string FinishedDate,
    IReadOnlyList<DevLakeDeploymentCommit> DeploymentCommits,
    string? CreatedDate = null,
    string? Result = null,
    string? Environment = null,
    string? DisplayTitle = null,
    string? Name = null);

/// <summary>One commit of a DevLake deployment.</summary>
/// <param name="RepoUrl">The repository; normalized to <c>host/org/repo</c>, it is the deployment's system.</param>
/// <param name="CommitSha">The deployed commit.</param>
/// <param name="Result">Overrides the deployment's result for this commit.</param>
internal sealed record DevLakeDeploymentCommit(
    string RepoUrl, string CommitSha, string? RefName = null, string? CommitMsg = null, string? Name = null, string? DisplayTitle = null, string? Result = null);

/// <summary>A DevLake issue, for the API document; the server reads the body itself, keys case-insensitively, snake_case too.</summary>
/// <param name="Status">TODO, IN_PROGRESS or DONE.</param>
/// <param name="Type">REQUIREMENT, BUG, INCIDENT or another type; INCIDENT also makes a Stride incident.</param>
/// <param name="Component">The issue's system, and its incident's (default <c>_unknown_</c>).</param>
/// <param name="StoryPoint">A number, 0 or more; for the requirement granularity.</param>
internal sealed record DevLakeIssueRequest(
    string IssueKey,
    string Title,
    string Status,
    string CreatedDate,
    string? OriginalStatus = null,
    string? Type = null,
    string? ResolutionDate = null,
    string? Component = null,
    string? Description = null,
    string? Priority = null,
    double? StoryPoint = null);
