namespace Stride.Server.OpenApi;

/// <summary>What the document says of one operation beyond what its endpoint's metadata tells the generator.</summary>
/// <param name="Description">The longer text under the summary (the summary is the endpoint's own <c>WithSummary</c>).</param>
internal sealed record OperationDoc(string Description)
{
    /// <summary>Query parameters the handler reads itself, by name in <see cref="QueryParameters"/>.</summary>
    public string[] Query { get; init; } = [];

    /// <summary>Descriptions of parameters the generator found in the handler's signature.</summary>
    public Dictionary<string, string> Parameters { get; init; } = [];

    /// <summary>The request body, when the handler reads it itself.</summary>
    public BodyDoc? Body { get; init; }

    /// <summary>An example of a request body the generator found in the handler's signature.</summary>
    public string? BodyExample { get; init; }

    /// <summary>An example of the 200 (or 201) body.</summary>
    public string? Ok { get; init; }

    /// <summary>The 200 body's type, for handlers that return <c>IResult</c> (the generator cannot see it).</summary>
    public Type? OkType { get; init; }

    /// <summary>An example of the <c>format=csv</c> answer, for list routes.</summary>
    public string? Csv { get; init; }

    /// <summary>Error answers besides 401 and 403 (which come from the route's scope).</summary>
    public ErrorDoc[] Errors { get; init; } = [];
}

/// <summary>A request body: a component schema, whether an array of it is also taken, its examples, and an NDJSON form.</summary>
internal sealed record BodyDoc(string Schema, bool OneOrMany, Examples.Named[] Examples, string? Ndjson = null);

/// <summary>An error answer: status, when it happens, and an example body.</summary>
internal sealed record ErrorDoc(int Status, string Description, string Example);

/// <summary>The documentation of every operation, by operation id (the endpoint's <c>WithName</c>).</summary>
/// <remarks>
/// Kept here rather than on each route so that the endpoint files stay short; the tests fail for a
/// mapped route that has no entry.
/// </remarks>
internal static class Operations
{
    private static readonly ErrorDoc BadBody = new(400, "The body is malformed or an item is invalid; nothing was stored.", ProblemExamples.InvalidItem);
    private static readonly ErrorDoc TooLarge = new(413, "The body is larger than the server accepts (30 MB by default); send smaller batches.", ProblemExamples.TooLarge);
    private static readonly ErrorDoc BadQuery = new(400, "A query parameter is invalid.", ProblemExamples.InvalidQuery);

    private const string Ingestion =
        "Stored atomically: the whole request or nothing. The 200 answer is sent once the events are durably stored, "
        + "and every read from then on includes them. Pushing an event again is safe (see each type's schema for which push wins).";

    private const string ListRules =
        "Newest first, `limit` rows a page; follow `nextCursor` for the next page. `from`, `to`, `system` and `environment` "
        + "filter as on `GET /api/v1/metrics`. `format=csv` answers RFC 4180 CSV instead, the next page's URL in a `Link` header.";

    public static readonly IReadOnlyDictionary<string, OperationDoc> All = new Dictionary<string, OperationDoc>
    {
        ["PostChanges"] = new($"One change object, or an array of them. {Ingestion}")
        {
            Body = new(Schemas.Change, true, Examples.Changes),
            Ok = Examples.Stored,
            Errors = [BadBody, TooLarge],
        },
        ["PostDeployments"] = new($"One deployment object, or an array of them. A deployment marks its listed changes as deployed "
            + $"and attributes later incidents to it. {Ingestion}")
        {
            Body = new(Schemas.Deployment, true, Examples.Deployments),
            Ok = Examples.Stored,
            Errors = [BadBody, TooLarge],
        },
        ["PostIncidents"] = new($"One incident object, or an array of them. A later push with `timestampResolved` resolves an open incident. {Ingestion}")
        {
            Body = new(Schemas.Incident, true, Examples.Incidents),
            Ok = Examples.Stored,
            Errors = [BadBody, TooLarge],
        },
        ["PostEvents"] = new("A batch of changes, deployments and incidents, each with its `type`: a JSON array, or NDJSON "
            + $"(`Content-Type: application/x-ndjson`, one object per line). Up to 100,000 events per request. {Ingestion}")
        {
            Body = new(Schemas.Event, false, Examples.Events, Examples.EventsNdjson),
            Ok = Examples.StoredBatch,
            Errors = [BadBody, TooLarge],
        },
        ["PostPulseCliEvent"] = new("The route Codacy's `pulse-event-cli` posts to: point it at Stride by changing its base URL. "
            + "One event per request, with the key usually in `api_key`. The `Environment` and `CLI-Version` headers are accepted and not needed; "
            + "deployments pushed here go to `production`.")
        {
            Parameters = new() { ["system"] = "The event's system (a repository URL is normalized to `host/org/repo`). Default `_unknown_`." },
            Body = new(Schemas.Pulse, false, Examples.Pulse),
            Ok = Examples.Stored,
            Errors = [BadBody, TooLarge],
        },
        ["PostProviderWebhook"] = new("The URL to paste into a GitHub, GitLab or PagerDuty webhook, with an `ingest` key in `api_key`. "
            + "GitHub `push`, `deployment_status` and `issues` labelled `incident`; GitLab push, deployment and issue hooks; PagerDuty V3 "
            + "`incident.triggered`/`incident.resolved` and V2 `messages[]` (see docs/integrations). When the organization has set a secret "
            + "for the provider, the provider's signature is checked first. A redelivery (same delivery id) stores nothing again. "
            + "Deliveries that map to no event answer 202 `{\"stored\": 0}`.")
        {
            Parameters = new()
            {
                ["provider"] = "`github`, `gitlab` or `pagerduty`.",
                ["system"] = "The events' system; default: the repository or project URL (normalized to `host/org/repo`), or the PagerDuty service's name.",
            },
            Ok = """{"stored": 2, "duplicate": false}""",
            Errors = [BadBody, TooLarge,
                new(404, "The provider is not one of `github`, `gitlab`, `pagerduty`.", """{"type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "Not Found", "status": 404, "detail": "Unknown webhook provider 'bitbucket': use github, gitlab or pagerduty."}""")],
        },
        ["SetWebhookSecret"] = new("Sets the organization's secret for a provider's webhooks (GitHub's and PagerDuty's signing secret, "
            + "GitLab's secret token). From then on, deliveries without a matching signature are refused with 401. The secret is stored "
            + "recoverable, not hashed, since signatures are computed from it.")
        {
            Parameters = new() { ["provider"] = "`github`, `gitlab` or `pagerduty`." },
            BodyExample = """{"secret": "a long random string"}""",
            Errors = [new(400, "The secret is missing or longer than 1000 characters.", """{"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "One or more validation errors occurred.", "status": 400, "detail": "The secret is the one configured in the provider's webhook settings.", "errors": {"secret": ["is required: 1 to 1000 characters."]}}"""),
                new(404, "Unknown provider.", """{"type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "Not Found", "status": 404, "detail": "Unknown webhook provider 'bitbucket': use github, gitlab or pagerduty."}""")],
        },
        ["DeleteWebhookSecret"] = new("Clears the organization's secret for a provider: its deliveries are accepted unsigned again.")
        {
            Parameters = new() { ["provider"] = "`github`, `gitlab` or `pagerduty`." },
            Errors = [new(404, "Unknown provider, or no secret is set.", """{"type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "Not Found", "status": 404, "detail": "No github webhook secret is set."}""")],
        },
        ["GetMetrics"] = new("Deployment frequency, lead time for changes, change failure rate, time to restore, failed-deployment "
            + "recovery time and rework rate for the window `[from, to)`, each with its DORA performance level, and the same blocks "
            + "in `previous` for the window of equal length just before.")
        {
            Query = ["from", "to", "system", "environment", "benchmark"],
            Ok = ResponseExamples.Metrics,
            Errors = [BadQuery],
        },
        ["GetMetricsSeries"] = new("The metric blocks of each day, ISO week or month of the window, oldest first, for charts. Buckets "
            + "start at midnight in `tz` and are cut to the window; at most 1,100 buckets per request.")
        {
            Query = ["from", "to", "system", "environment", "benchmark", "interval", "tz"],
            Ok = ResponseExamples.Series,
            Errors = [BadQuery],
        },
        ["GetIssueMetrics"] = new("What DevLake computes from the issues pushed to its webhook routes, for the window `[from, to)`: "
            + "the requirements created in the window and how many are `DONE`, the mean story points of those that have one, and the "
            + "median and mean age (resolution − creation) of the bugs and of the incidents resolved in the window. Values with no data are null.")
        {
            Query = ["from", "to", "system"],
            Ok = """
                {
                  "from": "2026-11-01T00:00:00Z",
                  "to": "2026-11-22T00:00:00Z",
                  "systems": ["api"],
                  "requirementDeliveryRate": {"requirements": 4, "delivered": 3, "rate": 0.75},
                  "requirementGranularity": {"requirements": 2, "meanStoryPoints": 4.0},
                  "bugAge": {"issues": 3, "medianSeconds": 10800.0, "meanSeconds": 292800.0},
                  "incidentAge": {"issues": 0, "medianSeconds": null, "meanSeconds": null}
                }
                """,
            Errors = [BadQuery],
        },
        ["GetLatestDeployment"] = new("The newest successful deployment of a system in an environment. The `stride` CLI asks it, "
            + "with an `ingest` key, for the commit of the previous deployment.")
        {
            Parameters = new()
            {
                ["system"] = "The system (a repository URL matches its `host/org/repo` system). Default `_unknown_`.",
                ["environment"] = "Default `production`; compared case-insensitively.",
            },
            Ok = ResponseExamples.Latest,
            Errors = [new(404, "The system has no successful deployment in the environment.", ProblemExamples.NoDeployment)],
        },
        ["ListSystems"] = new("Every system the organization has sent events for, by name, with its number of successful "
            + "deployments in the environment and the time of the last one.")
        {
            Parameters = new() { ["environment"] = "Environment whose deployments are counted. Default `production`." },
            Ok = ResponseExamples.Systems,
        },
        ["ListDeployments"] = new($"Deployments finished in the window, each with the median lead time of the changes it shipped "
            + $"first and the incidents attributed to it. {ListRules}")
        {
            Query = ["from", "to", "system", "environment", "limit", "cursor", "format"],
            OkType = typeof(Lists.ListResponse<Deployments.DeploymentItem>),
            Ok = ResponseExamples.Deployments,
            Csv = ResponseExamples.DeploymentsCsv,
            Errors = [BadQuery],
        },
        ["GetDeployment"] = new("One deployment with each of its changes (their time, whether this deployment was their first, "
            + "and then their lead time) and the incidents attributed to it.")
        {
            Parameters = new()
            {
                ["system"] = "The deployment's system. Default `_unknown_`.",
                ["identifier"] = "The deployment's identifier (required).",
                ["environment"] = "Default `production`.",
            },
            Ok = ResponseExamples.Deployment,
            Errors = [new(400, "`identifier` is missing.", ProblemExamples.MissingIdentifier),
                new(404, "No such deployment.", ProblemExamples.NoSuchDeployment)],
        },
        ["ListIncidents"] = new($"Incidents created in the window, each with the deployment it is attributed to. {ListRules}")
        {
            Query = ["from", "to", "system", "environment", "limit", "cursor", "format"],
            OkType = typeof(Lists.ListResponse<Incidents.IncidentItem>),
            Ok = ResponseExamples.Incidents,
            Csv = ResponseExamples.IncidentsCsv,
            Errors = [BadQuery],
        },
        ["ListChanges"] = new($"Changes made in the window, each with its first deployment in the environment and its lead time. {ListRules}")
        {
            Query = ["from", "to", "system", "environment", "limit", "cursor", "format"],
            OkType = typeof(Lists.ListResponse<Changes.ChangeItem>),
            Ok = ResponseExamples.Changes,
            Csv = ResponseExamples.ChangesCsv,
            Errors = [BadQuery],
        },
        ["CreateKey"] = new("Creates a key of the caller's organization with the given scopes (`ingest`, `read`, `admin`). "
            + "The answer holds the key's secret, shown this once: only its hash is stored.")
        {
            BodyExample = """{"name": "ci pipeline", "scopes": ["ingest"]}""",
            Ok = ResponseExamples.CreatedKey,
            Errors = [new(400, "The name is missing or too long, or a scope is unknown.", ProblemExamples.InvalidKey)],
        },
        ["ListKeys"] = new("The organization's keys, revoked ones included, with their prefix, scopes and when each was last used "
            + "(to the minute); never their secrets.")
        {
            Ok = ResponseExamples.Keys,
        },
        ["RevokeKey"] = new("Revokes a key of the organization. Requests with it are refused from the next one on.")
        {
            Parameters = new() { ["id"] = "The key's `id`, as created or listed." },
            Errors = [new(404, "The organization has no active key with this id.", ProblemExamples.NoKey)],
        },
        ["CreateOrganization"] = new("Creates an organization (a tenant: its events, keys and connections are walled off from every "
            + "other's) with a first key of scope `admin`, shown this once. Only a key with the server-wide `operator` scope, which "
            + "the bootstrap key holds, may call it.")
        {
            BodyExample = """{"name": "payments"}""",
            Ok = ResponseExamples.CreatedOrganization,
            Errors =
            [
                new(400, "The name is missing, longer than 100 characters or holds control characters.", ProblemExamples.InvalidOrganization),
                new(409, "An organization of that name exists.", ProblemExamples.OrganizationExists),
            ],
        },
        ["ListOrganizations"] = new("Every organization of the server, by id. Only for a key with the `operator` scope.")
        {
            Ok = ResponseExamples.Organizations,
        },
        ["CreateConnection"] = new("Creates a DevLake-compatible webhook connection (SPEC §4.3) and its key, which is valid only on this "
            + "connection's webhook routes. The answer holds the key, shown this once, and the absolute URLs to paste into DevLake-style tooling.")
        {
            BodyExample = """{"name": "checkout service"}""",
            Ok = Connections.ConnectionExamples.Created,
            Errors = [new(400, "The name is missing or longer than 100 characters.", Connections.ConnectionExamples.InvalidName)],
        },
        ["ListConnections"] = new("The organization's webhook connections with their URLs and the id of each one's key (revoke it "
            + "with `DELETE /api/v1/keys/{id}`); never the keys themselves.")
        {
            Ok = Connections.ConnectionExamples.List,
        },
        ["PostDevLakeDeployments"] = Connections.ConnectionExamples.Deployments(legacy: false),
        ["PostDevLakeDeploymentsLegacy"] = Connections.ConnectionExamples.Deployments(legacy: true),
        ["PostDevLakeIssue"] = Connections.ConnectionExamples.Issue(legacy: false),
        ["PostDevLakeIssueLegacy"] = Connections.ConnectionExamples.Issue(legacy: true),
        ["CloseDevLakeIssue"] = Connections.ConnectionExamples.Close(legacy: false),
        ["CloseDevLakeIssueLegacy"] = Connections.ConnectionExamples.Close(legacy: true),
        ["GetHealth"] = new("Answers 200 while the process runs; for liveness probes. No key needed.")
        {
            Ok = """{"status": "ok"}""",
        },
        ["GetReadiness"] = new("Answers 200 when the store answers a query, 503 otherwise; for readiness probes. No key needed.")
        {
            Ok = """{"status": "ready"}""",
            Errors = [new(503, "The database does not answer.", ProblemExamples.NotReady)],
        },
    };
}
