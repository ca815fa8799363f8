using Stride.Core.Events;

namespace Stride.Server.Ingestion;

/// <summary>Checks parsed items and turns them into normalized Core events.</summary>
internal static class EventValidator
{
    public const int MaxIdentifierLength = 256;
    public const int MaxSystemLength = 512;
    public const int MaxEnvironmentLength = 100;
    public const int MaxTeamLength = 100;
    public const int MaxTeams = 100;
    public const int MaxChanges = 100_000;
    private const int MaxErrors = 100;

    // Batches are checked in parts only from this many items per part: below, the hand-over costs more than it saves.
    private const int MinPartItems = 1_000;

    /// <summary>Validates every item; returns the events, or all errors found (up to a limit).</summary>
    /// <param name="type">The type the route implies (<c>change</c>, …), or null when each item names its own.</param>
    public static (List<Event> Events, List<IngestionError> Errors) Validate(
        IReadOnlyList<EventItem> items, bool isBatch, string? type)
    {
        // A large batch is checked in parts, one per core; should any part find an error, the whole
        // batch is checked again in order, so that the errors listed are the first ones.
        var parts = Math.Min(Environment.ProcessorCount, items.Count / MinPartItems);
        if (parts >= 2)
        {
            var checkedParts = new (List<Event> Events, List<IngestionError> Errors)[parts];
            Parallel.For(0, parts, k => checkedParts[k] = Validate(items, Bound(k), Bound(k + 1), isBatch, type));
            if (checkedParts.All(p => p.Errors.Count == 0))
            {
                var events = new List<Event>(items.Count);
                foreach (var part in checkedParts)
                {
                    events.AddRange(part.Events);
                }

                return (events, []);
            }
        }

        return Validate(items, 0, items.Count, isBatch, type);

        int Bound(int part) => (int)((long)items.Count * part / parts);
    }

    private static (List<Event> Events, List<IngestionError> Errors) Validate(
        IReadOnlyList<EventItem> items, int from, int to, bool isBatch, string? type)
    {
        var events = new List<Event>(to - from);
        var errors = new List<IngestionError>();
        for (var i = from; i < to && errors.Count < MaxErrors; i++)
        {
            var check = new ItemCheck(isBatch ? i : null, errors);
            if (ToEvent(items[i], type, check) is { } e)
            {
                events.Add(e);
            }
        }

        return (events, errors);
    }

    private static Event? ToEvent(EventItem item, string? routeType, ItemCheck check)
    {
        var type = item.Type?.Trim().ToLowerInvariant();
        if (routeType is not null)
        {
            if (type is not null && type != routeType)
            {
                check.Fail("type", $"is '{item.Type}', but this route takes '{routeType}' events only.");
                return null;
            }

            type = routeType;
        }

        var identifier = check.Identifier("identifier", item.Identifier, required: true);
        var system = check.Text("system", item.System, MaxSystemLength);
        switch (type)
        {
            case "change":
            {
                var timestamp = check.Required("timestamp", item.Timestamp);
                return check.Ok ? new Change(SystemName.Normalize(system), identifier!, timestamp!.Value) : null;
            }

            case "deployment":
            {
                var timestamp = check.Required("timestamp", item.Timestamp);
                var environment = check.Text("environment", item.Environment, MaxEnvironmentLength);
                var result = ParseResult(item.Result, check);
                var changes = check.List("changes", item.Changes, MaxChanges, MaxIdentifierLength);
                var teams = check.List("teams", item.Teams, MaxTeams, MaxTeamLength);
                var commit = check.Identifier("commit", item.Commit, required: false);
                return check.Ok
                    ? new Deployment(SystemName.Normalize(system), identifier!, timestamp!.Value,
                        EnvironmentName.Normalize(environment), result, changes, teams, commit, item.Rework ?? false)
                    : null;
            }

            case "incident":
            {
                var created = check.Required("timestampCreated", item.TimestampCreated);
                var deployment = check.Identifier("deployment", item.Deployment, required: false);
                // A resolution before the creation is kept as sent; the metrics leave it out of restore times.
                return check.Ok
                    ? new Incident(SystemName.Normalize(system), identifier!, created!.Value, item.TimestampResolved, deployment)
                    : null;
            }

            case null:
                check.Fail("type", "is required: one of 'change', 'deployment', 'incident'.");
                return null;
            default:
                check.Fail("type", $"'{item.Type}' is unknown: use 'change', 'deployment' or 'incident'.");
                return null;
        }
    }

    private static DeploymentResult ParseResult(string? value, ItemCheck check)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "success":
                return DeploymentResult.Success;
            case "failure":
                return DeploymentResult.Failure;
            case "aborted":
                return DeploymentResult.Aborted;
            default:
                check.Fail("result", $"'{Shorten(value!)}' is unknown: use 'success', 'failure' or 'aborted'.");
                return DeploymentResult.Success;
        }
    }

    internal static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}

/// <summary>Collects one item's errors.</summary>
internal sealed class ItemCheck(int? index, List<IngestionError> errors)
{
    public bool Ok { get; private set; } = true;

    public void Fail(string field, string message)
    {
        Ok = false;
        errors.Add(new IngestionError(index, field, message));
    }

    public long? Required(string field, long? value)
    {
        if (value is null)
        {
            Fail(field, TimestampConverter.Expected.Replace("must be", "is required:", StringComparison.Ordinal) + ".");
        }

        return value;
    }

    public string? Identifier(string field, string? value, bool required)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            if (required)
            {
                Fail(field, "is required and must not be empty.");
            }

            return null;
        }

        return Text(field, text, EventValidator.MaxIdentifierLength);
    }

    public string? Text(string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength)
        {
            Fail(field, $"is {value.Length} characters long; at most {maxLength} are allowed.");
            return null;
        }

        if (value is not null && TextRules.Problem(value) is { } problem)
        {
            Fail(field, problem);
            return null;
        }

        return value;
    }

    public IReadOnlyList<string> List(string field, List<string?>? values, int maxCount, int maxLength)
    {
        if (values is null || values.Count == 0)
        {
            return [];
        }

        if (values.Count > maxCount)
        {
            Fail(field, $"holds {values.Count} entries; at most {maxCount} are allowed.");
            return [];
        }

        var list = new List<string>(values.Count);
        for (var k = 0; k < values.Count; k++)
        {
            var text = values[k]?.Trim();
            if (string.IsNullOrEmpty(text))
            {
                Fail($"{field}[{k}]", "must be a non-empty string.");
            }
            else if (text.Length > maxLength)
            {
                Fail($"{field}[{k}]", $"is {text.Length} characters long; at most {maxLength} are allowed.");
            }
            else if (TextRules.Problem(text) is { } problem)
            {
                Fail($"{field}[{k}]", problem);
            }
            else
            {
                list.Add(text);
            }
        }

        return list;
    }
}
