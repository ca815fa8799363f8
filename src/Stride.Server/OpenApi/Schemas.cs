using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Stride.Server.OpenApi;

/// <summary>The schemas written by hand: the ingestion bodies (SPEC §2, §4.1, §4.2) and the problem answer (RFC 9457).</summary>
/// <remarks>
/// The ingestion handlers read their bodies from <c>HttpContext</c> (a streaming parser that also
/// takes NDJSON), and their parse type, <c>EventItem</c>, holds every field of every event type,
/// all optional, so that the validator names what is missing. Neither tells a client what to send.
/// The generator's ProblemDetails schemas lack what Stride adds to a problem (<c>index</c>, <c>traceId</c>).
/// </remarks>
internal static class Schemas
{
    public const string Change = "ChangeInput";
    public const string Deployment = "DeploymentInput";
    public const string Incident = "IncidentInput";
    public const string Event = "EventInput";
    public const string Pulse = "PulseEventInput";
    public const string Problem = "Problem";

    /// <summary>The components this folder adds to the document, by name.</summary>
    public static Dictionary<string, OpenApiSchema> All() => new()
    {
        [Change] = Object("A commit. Pushing the same (system, identifier) again keeps the earliest timestamp.",
            ["identifier", "timestamp"],
            ("identifier", Text("The commit's identifier (its SHA), at most 256 characters.")),
            ("timestamp", Time("When the commit was made or first pushed.")),
            ("system", SystemName())),
        [Deployment] = Object("A release to an environment. Pushing the same (system, environment, identifier) again replaces it.",
            ["identifier", "timestamp"],
            ("identifier", Text("The deployment's identifier (a version, a build number), at most 256 characters.")),
            ("timestamp", Time("When the deployment finished.")),
            ("system", SystemName()),
            ("changes", List("Identifiers of the commits of the same system that this deployment shipped.")),
            ("environment", Text("Default `production`; compared case-insensitively.")),
            ("result", Enum("Default `success`; case-insensitive.", "success", "failure", "aborted")),
            ("teams", List("Teams that own the deployment.")),
            ("commit", Text("The deployed head commit, when known.")),
            ("rework", new OpenApiSchema
            {
                Type = JsonSchemaType.Boolean,
                Description = "An unplanned deployment made to fix a production problem. Default `false`.",
            })),
        [Incident] = Object("Degraded service needing remediation. Pushing the same (system, identifier) again replaces the given fields.",
            ["identifier", "timestampCreated"],
            ("identifier", Text("The incident's identifier, at most 256 characters.")),
            ("timestampCreated", Time("When the incident began.")),
            ("timestampResolved", Time("When it was resolved; absent while open.")),
            ("system", SystemName()),
            ("deployment", Text("Identifier of the production deployment that caused it, when known."))),
        [Event] = new OpenApiSchema
        {
            Description = "A change, deployment or incident with its `type`; the other fields as in ChangeInput, DeploymentInput and IncidentInput.",
            AllOf =
            [
                new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { "type" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["type"] = Enum("What the object is.", "change", "deployment", "incident"),
                    },
                },
            ],
            AnyOf = [Ref(Change), Ref(Deployment), Ref(Incident)],
        },
        [Pulse] = Object("An event as Codacy's pulse-event-cli sends it, told apart by `$type`.",
            ["$type", "time_created"],
            ("$type", Enum("What the object is.", "change", "deployment", "incident")),
            ("source", Text("Where the event comes from (`cli`, `git`); accepted and not kept.")),
            ("event_type", Text("For a change, `commit`; accepted and not kept.")),
            ("change_id", Text("A change's identifier (required for `change`).")),
            ("deploy_id", Text("A deployment's identifier (required for `deployment`).")),
            ("incident_id", Text("An incident's identifier (required for `incident`).")),
            ("time_created", new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Format = "date-time",
                Description = "RFC 3339 with any offset: a change's or deployment's time, an incident's start.",
            }),
            ("time_resolved", new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Format = "date-time",
                Description = "An incident's resolution; `0001-01-01T00:00:00Z` (Go's zero time) means unresolved.",
            }),
            ("changes", List("A deployment's commits; may be null.")),
            ("teams", List("A deployment's teams."))),
        [Problem] = Object("An error (RFC 9457). For invalid input, `errors` names each field (`[3].timestamp` for item 3 of a batch) and `index` the first bad item.",
            [],
            ("type", Text("A URI naming the kind of problem.")),
            ("title", Text("A short summary of the kind of problem.")),
            ("status", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status code." }),
            ("detail", Text("What went wrong with this request, for a person to read.")),
            ("errors", new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "For validation problems: messages by field.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            }),
            ("index", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "In a batch: the index of the first invalid item." }),
            ("traceId", Text("The request's trace identifier, for the server's logs."))),
    };

    /// <summary>A reference to a component of this document.</summary>
    public static OpenApiSchemaReference Ref(string name) => new(name);

    /// <summary>One object, or an array of them (the native per-type routes take both).</summary>
    public static OpenApiSchema OneOrMany(string name) => new()
    {
        OneOf = [Ref(name), new OpenApiSchema { Type = JsonSchemaType.Array, Items = Ref(name) }],
    };

    private static OpenApiSchema Object(string description, string[] required, params (string Name, IOpenApiSchema Schema)[] properties) => new()
    {
        Type = JsonSchemaType.Object,
        Description = description,
        Required = new HashSet<string>(required),
        Properties = properties.ToDictionary(p => p.Name, p => p.Schema),
    };

    private static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };

    private static OpenApiSchema Time(string description) => new()
    {
        // Either form is accepted (SPEC §2); OpenAPI 3.1 writes this as "type": ["integer", "string"].
        Type = JsonSchemaType.Integer | JsonSchemaType.String,
        Description = $"{description} Unix seconds, or an RFC 3339 date-time with an offset.",
        Examples = [JsonValue.Create(1700000000), JsonValue.Create("2023-11-14T22:13:20Z")],
    };

    private static OpenApiSchema SystemName() => Text(
        "The repository or component. Missing or empty means `_unknown_`; a repository URL is normalized to `host/org/repo`.");

    private static OpenApiSchema List(string description) => new()
    {
        Type = JsonSchemaType.Array,
        Description = description,
        Items = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static OpenApiSchema Enum(string description, params string[] values) => new()
    {
        Type = JsonSchemaType.String,
        Description = description,
        Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))],
    };
}
