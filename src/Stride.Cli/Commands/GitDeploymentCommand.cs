using System.CommandLine;
using Stride.Cli.Api;
using Stride.Cli.Git;

namespace Stride.Cli.Commands;

/// <summary>
/// <c>stride push git deployment</c>: a deployment of HEAD with, as its changes, the commits since
/// the previous deployment, all in one atomic request.
/// </summary>
internal static class GitDeploymentCommand
{
    /// <summary>The most events one request may carry (the server's limit).</summary>
    private const int MaxEvents = 100_000;

    public static Command Create(Options options, CliContext context)
    {
        var identifier = Options.Identifier("The deployment's identifier (e.g. a version or commit SHA)");
        var timestamp = Options.Timestamp("--timestamp", "When the deployment finished, in Unix seconds");
        var previous = new Option<string?>("--previous-deployment-ref")
        {
            Description = "The commit, tag or branch of the previous deployment; default: the commit of the system's latest deployment on the server",
        };
        var teams = Options.Teams();
        var environment = Options.Environment();
        var result = Options.Result();
        var rework = Options.Rework();
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the events instead of sending them" };
        var directory = new Option<string?>("--directory") { Description = "The repository (default: the current directory)" };
        var paths = new Argument<string[]>("paths")
        {
            Description = "Only count commits touching these paths (for a monorepo)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("deployment", "Push a deployment of HEAD with the commits since the previous deployment as its changes")
        {
            identifier, timestamp, previous, Options.Source(), teams, environment, result, rework, dryRun, directory, paths,
        };
        command.SetAction(async (parse, ct) =>
        {
            var git = await GitRepository.OpenAsync(parse.GetValue(directory) ?? context.WorkingDirectory, ct);
            var head = await git.TryResolveAsync("HEAD", ct) ?? throw new UsageException("The repository has no commit yet (HEAD is unborn).");
            var system = Options.NullIfBlank(parse.GetValue(options.System)) ?? await git.FindOriginUrlAsync(ct);
            var env = Options.NullIfBlank(parse.GetValue(environment)) ?? "production";
            using var client = options.CreateClient(parse);

            var from = await FindPreviousAsync(git, client, parse.GetValue(previous), system, env, context, ct);
            if (from is not null && await git.IsShallowAsync(ct) && !await git.IsAncestorAsync(from, head, ct))
            {
                // The previous commit was fetched on its own (say by a tag), but not the history that
                // links it to HEAD: git would list only the commits down to the shallow boundary.
                throw new CommandFailedException(
                    $"This shallow clone lacks the history between {from[..Math.Min(12, from.Length)]} (the previous deployment) and HEAD, so its changes cannot be listed. "
                    + "Fetch the history first: 'git fetch --unshallow --tags' (in GitHub Actions: actions/checkout with fetch-depth: 0).");
            }

            var commits = from is null
                ? [await git.CommitAsync(head, ct)]
                : await git.LogAsync(from, head, parse.GetValue(paths) ?? [], ct);
            if (commits.Count + 1 > MaxEvents)
            {
                throw new CommandFailedException(
                    $"{commits.Count} commits since the previous deployment are more than one request may carry ({MaxEvents - 1}); use 'stride import git' for history.");
            }

            var events = commits.Select(c => EventItem.Change(c.Sha, c.AuthorTime, system)).ToList();
            events.Add(new EventItem
            {
                Type = "deployment",
                Identifier = parse.GetValue(identifier)!,
                Timestamp = parse.GetValue(timestamp),
                System = system,
                Changes = commits.Select(c => c.Sha).ToArray(),
                Commit = head,
                Environment = env,
                Result = parse.GetValue(result),
                Rework = parse.GetValue(rework) ? true : null,
                Teams = parse.GetValue(teams) is { Length: > 0 } t ? t : null,
            });

            if (parse.GetValue(dryRun))
            {
                await context.Output.WriteLineAsync($"Dry run: would send {events.Count} events to {client.BaseUrl}api/v1/events:");
                await context.Output.WriteLineAsync(CliJson.Indented(events));
                return ExitCodes.Success;
            }

            await context.Output.WriteLineAsync(
                $"Pushing deployment {parse.GetValue(identifier)} of {head[..Math.Min(12, head.Length)]} with {commits.Count} change{(commits.Count == 1 ? "" : "s")}{(system is null ? "" : $" (system {system})")}");
            var stored = await client.PushAsync(events, ct);
            await context.Output.WriteLineAsync($"Stored {stored} events.");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The commit of the previous deployment, or null for a first deployment.</summary>
    private static async Task<string?> FindPreviousAsync(
        GitRepository git, StrideClient client, string? reference, string? system, string env, CliContext context, CancellationToken ct)
    {
        if (Options.NullIfBlank(reference) is { } given)
        {
            return await git.TryResolveAsync(given, ct) ?? await MissingAsync(git, given, "--previous-deployment-ref", ct);
        }

        var latest = await client.FindLatestDeploymentAsync(system, env, ct);
        if (latest is null)
        {
            await context.Output.WriteLineAsync(
                $"No earlier deployment of {system ?? "this system"} in {env} on the server: this is its first, so HEAD alone is sent as its change (earlier history would count as lead time). Pass --previous-deployment-ref to choose otherwise.");
            return null;
        }

        if (latest.Commit is null)
        {
            await context.Output.WriteLineAsync(
                $"The latest deployment ({latest.Identifier}) was pushed without a commit, so HEAD alone is sent as this one's change. Pass --previous-deployment-ref to count the commits since it.");
            return null;
        }

        await context.Output.WriteLineAsync($"Previous deployment: {latest.Identifier} of {latest.Commit[..Math.Min(12, latest.Commit.Length)]} ({latest.Timestamp})");
        return await git.TryResolveAsync(latest.Commit, ct)
            ?? await MissingAsync(git, latest.Commit, $"the latest deployment's commit ({latest.Identifier})", ct);
    }

    private static async Task<string> MissingAsync(GitRepository git, string reference, string what, CancellationToken ct)
    {
        if (await git.IsShallowAsync(ct))
        {
            throw new CommandFailedException(
                $"'{reference}' ({what}) is not in this shallow clone. Fetch the history first: 'git fetch --unshallow --tags' (in GitHub Actions: actions/checkout with fetch-depth: 0).");
        }

        throw new UsageException($"'{reference}' ({what}) is not a commit, tag or branch of this repository.");
    }
}
