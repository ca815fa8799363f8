using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Stride.Cli.Api;
using Stride.Cli.Git;

namespace Stride.Cli.Commands;

/// <summary>
/// <c>stride import git --tags PATTERN</c>: backfills history, each matching tag a deployment at its
/// tag time and the commits since the tag before it its changes.
/// </summary>
/// <remarks>
/// Safe to run again: events are keyed (a change keeps its earliest time, a deployment is replaced),
/// so a second run stores nothing twice. A deployment is always sent in the same request as its
/// changes, or after them, so an interrupted import never leaves a deployment without its changes.
/// </remarks>
internal static class ImportGitCommand
{
    /// <summary>Events per request, unless <c>--batch-size</c> says otherwise.</summary>
    public const int DefaultBatchSize = 5_000;

    public static Command Create(Options options, CliContext context)
    {
        var tags = new Option<string>("--tags")
        {
            Description = "A glob of the tags that mark deployments, e.g. 'v*'",
            Required = true,
        };
        var since = new Option<DateTimeOffset?>("--since")
        {
            Description = "Only tags from this date on (e.g. 2024-01-01); earlier ones only delimit the first one's changes",
            CustomParser = r =>
            {
                var text = r.Tokens.Single().Value;
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
                {
                    return date;
                }

                r.AddError($"--since must be a date such as 2024-01-01 or 2024-01-01T12:00:00Z, got '{text}'.");
                return null;
            },
        };
        var directory = new Option<string?>("--directory") { Description = "The repository (default: the current directory)" };
        var environment = Options.Environment();
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be sent without sending it" };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Events per request (1 to 100000)",
            DefaultValueFactory = _ => DefaultBatchSize,
            Hidden = true,
        };
        batchSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 100_000)
            {
                r.AddError("--batch-size must be between 1 and 100000.");
            }
        });
        var command = new Command("git", "Backfill deployments from git tags and their changes from the commits between them")
        {
            tags, since, directory, environment, dryRun, batchSize,
        };
        command.SetAction(async (parse, ct) =>
        {
            var git = await GitRepository.OpenAsync(parse.GetValue(directory) ?? context.WorkingDirectory, ct);
            var system = Options.NullIfBlank(parse.GetValue(options.System)) ?? await git.FindOriginUrlAsync(ct);
            var env = Options.NullIfBlank(parse.GetValue(environment)) ?? "production";
            var pattern = parse.GetValue(tags)!;
            var all = await git.TagsAsync(pattern, ct);
            var from = parse.GetValue(since)?.ToUnixTimeSeconds() ?? long.MinValue;
            var first = all.FindIndex(t => t.Time >= from);
            if (first < 0)
            {
                await context.Output.WriteLineAsync($"No tag matches '{pattern}'{(from == long.MinValue ? "" : " since then")}: nothing to import.");
                return ExitCodes.Success;
            }

            using var client = parse.GetValue(dryRun) ? null : options.CreateClient(parse);
            var import = new Import(git, client, system, env, parse.GetValue(batchSize));
            var progress = new ImportProgress(all.Count - first, context);
            await progress.RunAsync(report => import.RunAsync(all, first, report, ct));
            await context.Output.WriteLineAsync(
                $"{(client is null ? "Dry run: would import" : "Imported")} {import.Deployments} deployments and {import.Changes} changes from {all.Count - first} tags matching '{pattern}'{(system is null ? "" : $" (system {system})")}.");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Walks the tags and sends their events in batches.</summary>
    private sealed class Import(GitRepository git, StrideClient? client, string? system, string env, int batchSize)
    {
        private readonly List<EventItem> _batch = [];

        public int Deployments { get; private set; }

        public int Changes { get; private set; }

        public async Task RunAsync(List<GitTag> tags, int first, Action<int> report, CancellationToken ct)
        {
            for (var i = first; i < tags.Count; i++)
            {
                // The tag before (even one before --since) delimits the changes; the very first tag, like
                // a first deployment, counts its own commit only rather than all earlier history.
                var tag = tags[i];
                var commits = i == 0
                    ? [await git.CommitAsync(tag.Commit, ct)]
                    : await git.LogAsync(tags[i - 1].Commit, tag.Commit, [], ct);
                var events = commits.Select(c => EventItem.Change(c.Sha, c.AuthorTime, system)).ToList();
                events.Add(new EventItem
                {
                    Type = "deployment",
                    Identifier = tag.Name,
                    Timestamp = tag.Time,
                    System = system,
                    Changes = commits.Select(c => c.Sha).ToArray(),
                    Commit = tag.Commit,
                    Environment = env,
                });
                await AddAsync(events, ct);
                Deployments++;
                Changes += commits.Count;
                report(i - first + 1);
            }

            await FlushAsync(ct);
        }

        private async Task AddAsync(List<EventItem> events, CancellationToken ct)
        {
            if (_batch.Count + events.Count > batchSize)
            {
                await FlushAsync(ct);
            }

            // A tag with more changes than a batch holds: its changes go first, in full batches, and the
            // deployment with the last of them.
            while (events.Count > batchSize)
            {
                _batch.AddRange(events.Take(batchSize));
                events.RemoveRange(0, batchSize);
                await FlushAsync(ct);
            }

            _batch.AddRange(events);
        }

        private async Task FlushAsync(CancellationToken ct)
        {
            if (_batch.Count == 0)
            {
                return;
            }

            if (client is not null)
            {
                await client.PushAsync(_batch.ToList(), ct);
            }

            _batch.Clear();
        }
    }

    /// <summary>A live bar on a terminal; plain lines (about every tenth of the work) when output is redirected.</summary>
    private sealed class ImportProgress(int total, CliContext context)
    {
        public async Task RunAsync(Func<Action<int>, Task> work)
        {
            if (context.Interactive)
            {
                await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async progress =>
                    {
                        var task = progress.AddTask("Importing tags", maxValue: total);
                        await work(done => task.Value = done);
                    });
                return;
            }

            var step = Math.Max(1, total / 10);
            await work(done =>
            {
                if (done % step == 0 || done == total)
                {
                    context.Output.WriteLine($"Imported {done} of {total} tags");
                }
            });
        }
    }
}
