using System.Text.Json.Nodes;

namespace Stride.Server.Tests.BadInput;

/// <summary>How a route's requests are authorized, so that a malformed body, not a missing signature, is what gets tested.</summary>
internal enum Signer
{
    /// <summary>The admin key only.</summary>
    None,

    /// <summary><c>X-Hub-Signature-256</c> over the exact bytes sent, against the organization's GitHub secret.</summary>
    GitHub,

    /// <summary><c>X-Gitlab-Token</c>, the organization's GitLab secret.</summary>
    GitLab,

    /// <summary><c>X-PagerDuty-Signature</c> over the exact bytes sent.</summary>
    PagerDuty,

    /// <summary>The key of a DevLake connection made for the test; <c>{id}</c> in the path is its id.</summary>
    Connection,
}

/// <summary>An ingestion route, its valid bodies and the fields of each that the suite breaks.</summary>
/// <param name="AcceptsStreams">Native routes: one object, an array or NDJSON, so the body twice is a valid batch.</param>
/// <param name="Extra">Requests that break something other than the body's fields: the query, the path.</param>
internal sealed record RouteUnderTest(
    string Name, string Path, Dialect Dialect, IReadOnlyList<BodyBase> Bases, Signer Signer = Signer.None, bool AcceptsStreams = false,
    IReadOnlyList<BadCase>? Extra = null)
{
    public override string ToString() => Name;
}

/// <summary>Every ingestion route of SPEC §4.1 to §4.4, with valid bodies taken from the SPEC and the providers' documented payloads.</summary>
internal static class IngestionRoutes
{
    private const long T = 1_780_000_000;   // 2026-05-28T20:26:40Z
    private const string Sha = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

    public static readonly IReadOnlyList<RouteUnderTest> All =
    [
        Native("changes", "change", Change),
        Native("deployments", "deployment", Deployment),
        Native("incidents", "incident", Incident),
        Events(BodyFormat.Json),
        Events(BodyFormat.Ndjson),
        Pulse(),
        GitHub(),
        GitLab(),
        PagerDuty(),
        DevLakeDeployments(),
        DevLakeIssues(),
    ];

    public static RouteUnderTest Find(string name) => All.Single(r => r.Name == name);

    // ---- native (SPEC §4.1) ----

    private static (JsonObject Body, Field[] Fields) Change(int n) => (
        new JsonObject { ["identifier"] = $"c{n}", ["timestamp"] = T - 3600 + n, ["system"] = "café/api" },
        [
            new("identifier", FieldKind.Text, Required: true),
            new("timestamp", FieldKind.Time, Required: true),
            new("system", FieldKind.Text, MaxLength: 512),
        ]);

    private static (JsonObject Body, Field[] Fields) Deployment(int n) => (
        new JsonObject
        {
            ["identifier"] = $"v{n}", ["timestamp"] = $"2026-05-28T20:26:4{n}+00:00", ["system"] = "api", ["changes"] = new JsonArray("c1", "c2"),
            ["environment"] = "production", ["result"] = "success", ["teams"] = new JsonArray("core"), ["commit"] = "c2", ["rework"] = false,
        },
        [
            new("identifier", FieldKind.Text, Required: true),
            new("timestamp", FieldKind.Time, Required: true),
            new("system", FieldKind.Text, MaxLength: 512),
            new("changes", FieldKind.StringList, MaxLength: 256, MaxCount: 100_000),
            new("environment", FieldKind.Text, MaxLength: 100),
            new("result", FieldKind.Result),
            new("teams", FieldKind.StringList, MaxLength: 100, MaxCount: 100),
            new("commit", FieldKind.Text),
            new("rework", FieldKind.Bool),
        ]);

    private static (JsonObject Body, Field[] Fields) Incident(int n) => (
        new JsonObject
        {
            ["identifier"] = $"INC-{n}", ["timestampCreated"] = T + 100 + n, ["timestampResolved"] = T + 200 + n, ["system"] = "api",
            ["deployment"] = "v1",
        },
        [
            new("identifier", FieldKind.Text, Required: true),
            new("timestampCreated", FieldKind.Time, Required: true),
            new("timestampResolved", FieldKind.Time),
            new("system", FieldKind.Text, MaxLength: 512),
            new("deployment", FieldKind.Text),
        ]);

    /// <summary>A typed route: one object, and an array of three with the broken field in the middle one.</summary>
    private static RouteUnderTest Native(string route, string type, Func<int, (JsonObject Body, Field[] Fields)> make)
    {
        var (one, fields) = make(1);
        Field[] typed = [.. fields, new("type", FieldKind.EventType, Own: type)];
        var batch = new JsonArray(make(1).Body, make(2).Body, make(3).Body);
        return new($"POST /api/v1/{route}", $"/api/v1/{route}", Dialect.Typed,
        [
            new("object", one, typed),
            new("array", batch, [.. typed.Select(f => f with { Path = "[1]." + f.Path })]),
        ], AcceptsStreams: true);
    }

    /// <summary><c>/api/v1/events</c>: a change, a deployment and an incident, each named by <c>type</c>.</summary>
    private static RouteUnderTest Events(BodyFormat format)
    {
        var items = new JsonArray();
        var fields = new List<Field>();
        foreach (var (type, make) in new (string, Func<int, (JsonObject, Field[])>)[] { ("change", Change), ("deployment", Deployment), ("incident", Incident) })
        {
            var (body, own) = make(1);
            body.Insert(0, "type", type);
            var index = items.Count;
            items.Add(body);
            Field[] typed = [.. own, new("type", FieldKind.EventType, Required: true)];
            fields.AddRange(typed.Select(f => f with { Path = $"[{index}].{f.Path}" }));
        }

        var name = format == BodyFormat.Ndjson ? "NDJSON" : "JSON array";
        return new($"POST /api/v1/events ({name})", "/api/v1/events", Dialect.Typed, [new(name, items, fields, format)], AcceptsStreams: true);
    }

    // ---- Pulse (SPEC §4.2) ----

    private static RouteUnderTest Pulse()
    {
        const string Created = "2020-10-16T12:40:32+01:00";
        Field type = new("$type", FieldKind.EventType, Required: true);
        Field time = new("time_created", FieldKind.Time, Required: true);
        Field[] lists = [new("changes", FieldKind.StringList, MaxCount: 100_000), new("teams", FieldKind.StringList, MaxLength: 100, MaxCount: 100)];
        BodyBase change = new("change",
            new JsonObject { ["source"] = "cli", ["change_id"] = "c1", ["time_created"] = Created, ["event_type"] = "commit", ["$type"] = "change" },
            [type, time, new("change_id", FieldKind.Text, Required: true)]);
        return new("POST /v1/ingestion/cli", "/v1/ingestion/cli", Dialect.Typed,
        [
            change,
            new("deployment", new JsonObject
                {
                    ["source"] = "git", ["deploy_id"] = "1.0.1", ["time_created"] = Created, ["changes"] = new JsonArray("c1"),
                    ["teams"] = new JsonArray("mercury"), ["$type"] = "deployment",
                },
                [type, time, new("deploy_id", FieldKind.Text, Required: true), .. lists]),
            new("incident", new JsonObject
                {
                    ["source"] = "cli", ["incident_id"] = "INC-1", ["time_created"] = Created, ["time_resolved"] = "2020-10-16T14:00:00+01:00",
                    ["$type"] = "incident",
                },
                [type, time, new("incident_id", FieldKind.Text, Required: true), new("time_resolved", FieldKind.Time)]),
        ],
        Extra:
        [
            QueryCase("system of 513 characters", $"system={new string('s', 513)}", "system", change),
            QueryCase("system with NUL", "system=a%00b", "system", change),
            QueryCase("system with ESC", "system=a%1Bb", "system", change),
        ]);
    }

    // ---- provider webhooks (SPEC §4.4) ----

    private static RouteUnderTest GitHub()
    {
        var repository = () => new JsonObject { ["html_url"] = "https://github.com/acme/shop" };
        Field[] repo = [new("repository", FieldKind.Object, Required: true), new("repository.html_url", FieldKind.Text, Required: true, MaxLength: 512)];
        BodyBase push = new("push", new JsonObject
            {
                ["ref"] = "refs/heads/main", ["before"] = "0000000000000000000000000000000000000000", ["after"] = Sha, ["repository"] = repository(),
                ["commits"] = new JsonArray(new JsonObject { ["id"] = Sha, ["timestamp"] = "2026-05-28T20:00:00+02:00", ["message"] = "Fix" }),
            },
            [
                .. repo, new("after", FieldKind.Text, Required: true), new("before", FieldKind.Text),
                new("commits", FieldKind.Array, Required: true), new("commits[0]", FieldKind.Object),
                new("commits[0].id", FieldKind.Text, Required: true), new("commits[0].timestamp", FieldKind.Time, Required: true),
            ],
            Headers: [new("X-GitHub-Event", "push"), new("X-GitHub-Delivery", "gh-push-1")]);
        return new("POST /v1/ingestion/github", "/v1/ingestion/github", Dialect.Document,
        [
            push,
            // No created_at: updated_at is then the only finish time, so it is required (and when it is missing, created_at is asked for).
            new("deployment_status", new JsonObject
                {
                    ["action"] = "created",
                    ["deployment_status"] = new JsonObject { ["state"] = "success", ["updated_at"] = "2026-05-28T20:10:00Z" },
                    ["deployment"] = new JsonObject { ["id"] = 145988746, ["sha"] = Sha, ["environment"] = "production" },
                    ["repository"] = repository(),
                },
                [
                    .. repo, new("deployment_status", FieldKind.Object, Required: true), new("deployment", FieldKind.Object, Required: true),
                    new("deployment_status.state", FieldKind.Discriminator, Required: true),
                    new("deployment_status.updated_at", FieldKind.Time, Required: true, MissingKey: "deployment_status.created_at"), new("deployment.id", FieldKind.Text, Required: true),
                    new("deployment.sha", FieldKind.Text), new("deployment.environment", FieldKind.Text, MaxLength: 100),
                ],
                Headers: [new("X-GitHub-Event", "deployment_status"), new("X-GitHub-Delivery", "gh-deployment-1")]),
            new("issues closed", new JsonObject
                {
                    ["action"] = "closed",
                    ["issue"] = new JsonObject
                    {
                        ["number"] = 7, ["created_at"] = "2026-05-28T20:00:00Z", ["closed_at"] = "2026-05-28T21:00:00Z",
                        ["labels"] = new JsonArray(new JsonObject { ["name"] = "incident" }),
                    },
                    ["repository"] = repository(),
                },
                [
                    .. repo, new("action", FieldKind.Discriminator, Required: true), new("issue", FieldKind.Object, Required: true),
                    // A missing or empty label list means "not an incident" (202), so only lists of the wrong type are wrong.
                    new("issue.labels", FieldKind.Array), new("issue.number", FieldKind.Text, Required: true),
                    new("issue.created_at", FieldKind.Time, Required: true), new("issue.closed_at", FieldKind.Time, Required: true),
                ],
                Headers: [new("X-GitHub-Event", "issues"), new("X-GitHub-Delivery", "gh-issue-1")]),
        ],
        Signer.GitHub,
        Extra:
        [
            QueryCase("system of 513 characters", $"system={new string('s', 513)}", "system", push),
            QueryCase("system with NUL", "system=a%00b", "system", push),
        ]);
    }

    private static RouteUnderTest GitLab()
    {
        var project = () => new JsonObject { ["web_url"] = "https://gitlab.example.com/acme/shop" };
        Field[] proj = [new("project", FieldKind.Object, Required: true), new("project.web_url", FieldKind.Text, Required: true, MaxLength: 512)];
        return new("POST /v1/ingestion/gitlab", "/v1/ingestion/gitlab", Dialect.Document,
        [
            new("Push Hook", new JsonObject
                {
                    ["object_kind"] = "push", ["before"] = "0000000000000000000000000000000000000000", ["after"] = Sha, ["project"] = project(),
                    ["commits"] = new JsonArray(new JsonObject { ["id"] = Sha, ["timestamp"] = "2026-05-28T20:00:00+02:00" }),
                },
                [
                    .. proj, new("after", FieldKind.Text, Required: true), new("before", FieldKind.Text),
                    new("commits", FieldKind.Array, Required: true), new("commits[0]", FieldKind.Object),
                    new("commits[0].id", FieldKind.Text, Required: true), new("commits[0].timestamp", FieldKind.Time, Required: true),
                ],
                Headers: [new("X-Gitlab-Event", "Push Hook"), new("Idempotency-Key", "gl-push-1")]),
            // No deployable_id: deployment_id is then the only id, so it is required.
            new("Deployment Hook", new JsonObject
                {
                    ["object_kind"] = "deployment", ["status"] = "success", ["status_changed_at"] = "2026-05-28 21:50:00 +0200",
                    ["deployment_id"] = 15, ["environment"] = "staging", ["sha"] = Sha, ["project"] = project(),
                },
                [
                    .. proj, new("status", FieldKind.Discriminator, Required: true), new("status_changed_at", FieldKind.Time, Required: true),
                    new("deployment_id", FieldKind.Text, Required: true), new("environment", FieldKind.Text, MaxLength: 100), new("sha", FieldKind.Text),
                ],
                Headers: [new("X-Gitlab-Event", "Deployment Hook"), new("Idempotency-Key", "gl-deployment-1")]),
            // No updated_at: closed_at is then the only resolution time, so it is required.
            new("Issue Hook", new JsonObject
                {
                    ["object_kind"] = "issue", ["project"] = project(),
                    ["object_attributes"] = new JsonObject
                    {
                        ["action"] = "close", ["iid"] = 7, ["type"] = "Incident", ["created_at"] = "2026-05-28 20:00:00 UTC",
                        ["closed_at"] = "2026-05-28 21:00:00 UTC",
                    },
                },
                [
                    .. proj, new("object_attributes", FieldKind.Object, Required: true),
                    new("object_attributes.action", FieldKind.Discriminator), new("object_attributes.iid", FieldKind.Text, Required: true),
                    new("object_attributes.created_at", FieldKind.Time, Required: true),
                    new("object_attributes.closed_at", FieldKind.Time, Required: true),
                ],
                Headers: [new("X-Gitlab-Event", "Issue Hook"), new("Idempotency-Key", "gl-issue-1")]),
        ],
        Signer.GitLab);
    }

    private static RouteUnderTest PagerDuty()
    {
        var service = () => new JsonObject { ["summary"] = "checkout" };
        Field[] v3 =
        [
            new("event", FieldKind.Object, Required: true), new("event.id", FieldKind.Text),
            new("event.event_type", FieldKind.Discriminator, Required: true), new("event.occurred_at", FieldKind.Time, Required: true),
            new("event.data", FieldKind.Object, Required: true), new("event.data.id", FieldKind.Text, Required: true),
        ];
        return new("POST /v1/ingestion/pagerduty", "/v1/ingestion/pagerduty", Dialect.Document,
        [
            new("V3 incident.triggered", new JsonObject
                {
                    ["event"] = new JsonObject
                    {
                        ["id"] = "01PD-TRIGGER", ["event_type"] = "incident.triggered", ["occurred_at"] = "2026-05-28T20:00:00Z",
                        ["data"] = new JsonObject { ["id"] = "Q1", ["service"] = service() },
                    },
                },
                v3),
            new("V3 incident.resolved", new JsonObject
                {
                    ["event"] = new JsonObject
                    {
                        ["id"] = "01PD-RESOLVE", ["event_type"] = "incident.resolved", ["occurred_at"] = "2026-05-28T21:00:00Z",
                        ["data"] = new JsonObject { ["id"] = "Q2", ["created_at"] = "2026-05-28T20:00:00Z", ["service"] = service() },
                    },
                },
                [.. v3, new("event.data.created_at", FieldKind.Time, Required: true)]),
            // A V2 delivery is recognised by its messages member: without it the body is read as V3, so only wrong types are tested.
            new("V2 messages", new JsonObject
                {
                    ["messages"] = new JsonArray(new JsonObject
                    {
                        ["id"] = "m1", ["event"] = "incident.resolve",
                        ["incident"] = new JsonObject
                        {
                            ["id"] = "P1", ["created_at"] = "2026-05-28T20:00:00Z", ["last_status_change_at"] = "2026-05-28T21:00:00Z",
                            ["service"] = new JsonObject { ["name"] = "checkout" },
                        },
                    }),
                },
                [
                    new("messages", FieldKind.Array), new("messages[0]", FieldKind.Object), new("messages[0].id", FieldKind.Text),
                    new("messages[0].event", FieldKind.Discriminator, Required: true), new("messages[0].incident", FieldKind.Object, Required: true),
                    new("messages[0].incident.id", FieldKind.Text, Required: true),
                    new("messages[0].incident.created_at", FieldKind.Time, Required: true),
                    new("messages[0].incident.last_status_change_at", FieldKind.Time, Required: true),
                ]),
        ],
        Signer.PagerDuty);
    }

    // ---- DevLake webhooks (SPEC §4.3) ----

    private const string Connection = "/api/rest/plugins/webhook/connections/{id}";

    private static RouteUnderTest DevLakeDeployments()
        => new("POST /api/rest/plugins/webhook/connections/{id}/deployments", Connection + "/deployments", Dialect.Document,
        [
            new("deployment", new JsonObject
                {
                    ["id"] = "d1", ["startedDate"] = "2026-05-28T19:00:00Z", ["finishedDate"] = "2026-05-28T20:00:00Z",
                    ["createdDate"] = "2026-05-28T18:00:00Z", ["result"] = "SUCCESS", ["environment"] = "PRODUCTION",
                    ["deploymentCommits"] = new JsonArray(new JsonObject
                    {
                        ["repoUrl"] = "https://github.com/acme/shop.git", ["commitSha"] = Sha, ["refName"] = "main", ["result"] = "SUCCESS",
                    }),
                },
                [
                    new("id", FieldKind.Text, Required: true), new("startedDate", FieldKind.Time, Required: true),
                    new("finishedDate", FieldKind.Time, Required: true), new("createdDate", FieldKind.Time), new("result", FieldKind.Result),
                    new("environment", FieldKind.Text, MaxLength: 100), new("deploymentCommits", FieldKind.Array, Required: true, NonEmpty: true),
                    new("deploymentCommits[0]", FieldKind.Object), new("deploymentCommits[0].repoUrl", FieldKind.Text, Required: true, MaxLength: 512),
                    new("deploymentCommits[0].commitSha", FieldKind.Text, Required: true), new("deploymentCommits[0].result", FieldKind.Result),
                ]),
        ],
        Signer.Connection,
        Extra:
        [
            // Keys are matched case-insensitively and snake_case too, the last one winning: a wrong value under another spelling counts.
            RawCase("id, then ID = true", """{"id":"d1","startedDate":"2026-05-28T19:00:00Z","finishedDate":"2026-05-28T20:00:00Z","deploymentCommits":[{"repoUrl":"https://github.com/acme/shop","commitSha":"abc"}],"ID":true}""", "id"),
            RawCase("deploymentCommits, then deployment_commits = []", """{"id":"d1","startedDate":"2026-05-28T19:00:00Z","finishedDate":"2026-05-28T20:00:00Z","deploymentCommits":[{"repoUrl":"https://github.com/acme/shop","commitSha":"abc"}],"deployment_commits":[]}""", "deploymentCommits"),
            RawCase("legacy route: empty body", "") with { Path = "/api/rest/plugins/webhook/{id}/deployments" },
            RawCase("legacy route: missing commitSha", """{"id":"d1","startedDate":"2026-05-28T19:00:00Z","finishedDate":"2026-05-28T20:00:00Z","deploymentCommits":[{"repoUrl":"https://github.com/acme/shop"}]}""", "deploymentCommits[0].commitSha") with { Path = "/api/rest/plugins/webhook/{id}/deployments" },
        ]);

    private static RouteUnderTest DevLakeIssues()
        => new("POST /api/rest/plugins/webhook/connections/{id}/issues", Connection + "/issues", Dialect.Document,
        [
            new("incident", new JsonObject
                {
                    ["issueKey"] = "DLK-1", ["title"] = "Checkout is down", ["type"] = "INCIDENT", ["status"] = "DONE", ["originalStatus"] = "closed",
                    ["storyPoint"] = 3, ["createdDate"] = "2026-05-28T20:00:00Z", ["resolutionDate"] = "2026-05-28T21:00:00Z", ["component"] = "shop",
                },
                [
                    new("issueKey", FieldKind.Text, Required: true), new("title", FieldKind.Text, Required: true, MaxLength: 10_000, Stored: false),
                    new("status", FieldKind.IssueStatus, Required: true), new("createdDate", FieldKind.Time, Required: true),
                    new("resolutionDate", FieldKind.Time), new("type", FieldKind.Text, MaxLength: 100),
                    new("component", FieldKind.Text, MaxLength: 512), new("storyPoint", FieldKind.StoryPoint),
                ]),
        ],
        Signer.Connection,
        Extra:
        [
            // Closing an issue that was never stored (nothing ever is here): 404 whatever the key looks like, and nothing is made.
            RawCase("close: unknown key", "", status: 404) with { Path = Connection + "/issue/DLK-404/close" },
            RawCase("close: key of 10000 characters", "", status: 404) with { Path = Connection + $"/issue/{new string('k', 10_000)}/close" },
            // No %00 in the path: Kestrel refuses such a request line itself (400), and the test host cannot send one.
            RawCase("close: key with invalid UTF-8", "", status: 404) with { Path = Connection + "/issue/a%FFb/close" },
            RawCase("close: body that is not JSON", "garbage", status: 404) with { Path = Connection + "/issue/DLK-1/close" },
        ]);

    /// <summary>A valid body sent with a wrong query parameter.</summary>
    private static BadCase QueryCase(string name, string query, string expectedKey, BodyBase valid)
        => new($"{valid.Name}: query {name}", valid.Bytes, valid.ContentType, valid.Headers ?? [], expectedKey, query);

    private static BadCase RawCase(string name, string body, string? expectedKey = null, int? status = null)
        => new(name, System.Text.Encoding.UTF8.GetBytes(body), "application/json", [], expectedKey, Status: status);
}
