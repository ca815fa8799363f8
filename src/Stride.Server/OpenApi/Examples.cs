using System.Text.Json.Nodes;

namespace Stride.Server.OpenApi;

/// <summary>The examples of the OpenAPI document: request bodies (SPEC §4.1, §4.2) and answers.</summary>
/// <remarks>
/// Written as JSON text so that they read as what goes over the wire. The request examples are
/// posted to the server by the tests (OpenApiDocumentTests), so they stay accepted; the answers
/// were taken from the server's own responses.
/// </remarks>
internal static class Examples
{
    /// <summary>A named example: what the reference page lists, and the value.</summary>
    public sealed record Named(string Name, string Summary, string Json)
    {
        public JsonNode Value => JsonNode.Parse(Json)!;
    }

    public static readonly Named[] Changes =
    [
        new("one", "One change", """{"identifier": "9f1c", "timestamp": 1700000000, "system": "api"}"""),
        new("array", "An array of changes; times as Unix seconds or RFC 3339; a repository URL as the system", """
            [
              {"identifier": "9f1c", "timestamp": 1700000000, "system": "https://github.com/acme/api.git"},
              {"identifier": "6ccf", "timestamp": "2023-11-14T22:30:00Z", "system": "github.com/acme/api"}
            ]
            """),
    ];

    public static readonly Named[] Deployments =
    [
        new("one", "One deployment with every field", """
            {"identifier": "v1.4.0", "timestamp": 1700003600, "system": "api", "changes": ["9f1c"], "environment": "production", "result": "success", "teams": ["core"], "commit": "9f1c", "rework": false}
            """),
        new("array", "An array: only identifier and timestamp are required", """
            [
              {"identifier": "v1.4.1", "timestamp": "2023-11-15T08:00:00+01:00", "system": "api", "changes": ["6ccf"]},
              {"identifier": "v1.4.2", "timestamp": 1700040000, "system": "api", "result": "failure", "environment": "staging"}
            ]
            """),
    ];

    public static readonly Named[] Incidents =
    [
        new("resolved", "A resolved incident caused by a deployment", """
            {"identifier": "INC-7", "timestampCreated": 1700007200, "timestampResolved": 1700010800, "system": "api", "deployment": "v1.4.0"}
            """),
        new("open", "An open incident: a later push with timestampResolved resolves it", """
            {"identifier": "INC-8", "timestampCreated": "2023-11-15T09:00:00Z", "system": "api"}
            """),
    ];

    public static readonly Named[] Events =
    [
        new("array", "A JSON array of typed events, stored atomically", """
            [
              {"type": "change", "identifier": "9f1c", "timestamp": 1700000000, "system": "api"},
              {"type": "deployment", "identifier": "v1.4.0", "timestamp": 1700003600, "system": "api", "changes": ["9f1c"]},
              {"type": "incident", "identifier": "INC-7", "timestampCreated": 1700007200, "timestampResolved": 1700010800, "system": "api", "deployment": "v1.4.0"}
            ]
            """),
    ];

    /// <summary>The NDJSON form of <see cref="Events"/>: one object per line.</summary>
    public const string EventsNdjson = """
        {"type": "change", "identifier": "9f1c", "timestamp": 1700000000, "system": "api"}
        {"type": "deployment", "identifier": "v1.4.0", "timestamp": 1700003600, "system": "api", "changes": ["9f1c"]}
        {"type": "incident", "identifier": "INC-7", "timestampCreated": 1700007200, "timestampResolved": 1700010800, "system": "api", "deployment": "v1.4.0"}

        """;

    public static readonly Named[] Pulse =
    [
        new("change", "A change", """
            {"source": "cli", "change_id": "9f1c", "time_created": "2020-10-16T12:40:32+01:00", "event_type": "commit", "$type": "change"}
            """),
        new("deployment", "A deployment (changes may be null)", """
            {"source": "git", "deploy_id": "1.0.1", "time_created": "2020-10-16T13:00:00+01:00", "changes": ["9f1c"], "teams": ["mercury"], "$type": "deployment"}
            """),
        new("incident", "An incident", """
            {"source": "cli", "incident_id": "INC-1", "time_created": "2020-10-16T14:00:00+01:00", "time_resolved": "2020-10-16T15:30:00+01:00", "$type": "incident"}
            """),
    ];

    public const string Stored = """{"stored": 1}""";
    public const string StoredBatch = """{"stored": 3}""";
}
