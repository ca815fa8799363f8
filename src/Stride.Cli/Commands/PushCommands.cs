using System.CommandLine;
using System.Globalization;
using Stride.Cli.Api;

namespace Stride.Cli.Commands;

/// <summary><c>stride push change|deployment|incident</c>: one event each, with pulse-event-cli's flags.</summary>
internal static class PushCommands
{
    public static Command Change(Options options, CliContext context)
    {
        var identifier = Options.Identifier("The change's identifier (e.g. a commit SHA)");
        var timestamp = Options.Timestamp("--timestamp", "When the change was made, in Unix seconds");
        var eventType = new Option<string>("--event_type")
        {
            Description = "commit or push (accepted for pulse-event-cli compatibility; not stored)",
            DefaultValueFactory = _ => "commit",
        };
        var command = new Command("change", "Push a change event") { identifier, timestamp, Options.Source(), eventType };
        command.SetAction((parse, ct) => PushAsync(options, context, parse,
            EventItem.Change(parse.GetValue(identifier)!, parse.GetValue(timestamp), Options.NullIfBlank(parse.GetValue(options.System))), ct));
        return command;
    }

    public static Command Deployment(Options options, CliContext context)
    {
        var identifier = Options.Identifier("The deployment's identifier (e.g. a version or commit SHA)");
        var timestamp = Options.Timestamp("--timestamp", "When the deployment finished, in Unix seconds");
        var teams = Options.Teams();
        var environment = Options.Environment();
        var result = Options.Result();
        var rework = Options.Rework();
        var commit = new Option<string?>("--commit") { Description = "The commit deployed" };
        var changes = new Argument<string[]>("changes")
        {
            Description = "The identifiers of the changes the deployment shipped",
            Arity = ArgumentArity.ZeroOrMore,
        };
        changes.Validators.Add(r =>
        {
            if (r.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value)))
            {
                r.AddError("A change identifier must not be empty.");
            }
        });
        var command = new Command("deployment", "Push a deployment event with the changes it shipped")
        {
            identifier, timestamp, Options.Source(), teams, environment, result, rework, commit, changes,
        };
        command.SetAction((parse, ct) => PushAsync(options, context, parse, new EventItem
        {
            Type = "deployment",
            Identifier = parse.GetValue(identifier)!,
            Timestamp = parse.GetValue(timestamp),
            System = Options.NullIfBlank(parse.GetValue(options.System)),
            Changes = parse.GetValue(changes)?.Select(c => c.Trim()).ToArray() ?? [],
            Teams = parse.GetValue(teams) is { Length: > 0 } t ? t : null,
            Environment = Options.NullIfBlank(parse.GetValue(environment)),
            Result = parse.GetValue(result),
            Rework = parse.GetValue(rework) ? true : null,
            Commit = Options.NullIfBlank(parse.GetValue(commit)),
        }, ct));
        return command;
    }

    public static Command Incident(Options options, CliContext context)
    {
        var identifier = Options.Identifier("The incident's identifier");
        var created = Options.Timestamp("--timestampCreated", "When the incident began, in Unix seconds");
        var resolved = Options.Timestamp("--timestampResolved", "When it was resolved, in Unix seconds; leave out for an open incident", required: false);
        var deployment = new Option<string?>("--deployment") { Description = "The identifier of the deployment that caused it" };
        var command = new Command("incident", "Push an incident event (again with --timestampResolved when it is resolved)")
        {
            identifier, created, resolved, Options.Source(), deployment,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(resolved) is > 0 and var end && end < r.GetValue(created))
            {
                r.AddError("--timestampResolved must not be before --timestampCreated.");
            }
        });
        command.SetAction((parse, ct) => PushAsync(options, context, parse, new EventItem
        {
            Type = "incident",
            Identifier = parse.GetValue(identifier)!,
            TimestampCreated = parse.GetValue(created),
            TimestampResolved = parse.GetResult(resolved) is null ? null : parse.GetValue(resolved),
            System = Options.NullIfBlank(parse.GetValue(options.System)),
            Deployment = Options.NullIfBlank(parse.GetValue(deployment)),
        }, ct));
        return command;
    }

    private static async Task<int> PushAsync(Options options, CliContext context, ParseResult parse, EventItem item, CancellationToken ct)
    {
        using var client = options.CreateClient(parse);
        await context.Output.WriteLineAsync($"Pushing {item.Type} {item.Identifier}{Describe(item)}");
        var stored = await client.PushAsync([item], ct);
        await context.Output.WriteLineAsync($"Stored {stored} event{(stored == 1 ? "" : "s")}.");
        return ExitCodes.Success;
    }

    private static string Describe(EventItem item)
    {
        var parts = new List<string>();
        if (item.System is not null)
        {
            parts.Add($"system {item.System}");
        }

        if (item.Timestamp is { } ts)
        {
            parts.Add($"at {Time(ts)}");
        }

        if (item.TimestampCreated is { } created)
        {
            parts.Add($"created {Time(created)}");
            parts.Add(item.TimestampResolved is { } resolved ? $"resolved {Time(resolved)}" : "open");
        }

        if (item.Changes is { Count: > 0 } changes)
        {
            parts.Add($"{changes.Count} change{(changes.Count == 1 ? "" : "s")}");
        }

        return parts.Count == 0 ? "" : " (" + string.Join(", ", parts) + ")";
    }

    public static string Time(long seconds)
        => DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
