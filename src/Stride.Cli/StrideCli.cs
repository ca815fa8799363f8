using System.CommandLine;
using System.Reflection;
using Stride.Cli.Commands;

namespace Stride.Cli;

/// <summary>The <c>stride</c> command line (SPEC §6): pulse-event-cli's commands and flags, and more.</summary>
internal static class StrideCli
{
    public static string Version { get; } =
        typeof(StrideCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Runs a command line; returns the exit code (0 done, 1 failed, 2 usage error).</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken ct)
    {
        var root = Build(context);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await context.Error.WriteLineAsync(error.Message);
            }

            await context.Error.WriteLineAsync($"Run '{string.Join(' ', CommandPath(parse))} --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = context.Output,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,
            }, ct);
        }
        catch (UsageException e)
        {
            await context.Error.WriteLineAsync(e.Message);
            return ExitCodes.Usage;
        }
        catch (CommandFailedException e)
        {
            await context.Error.WriteLineAsync(e.Message);
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync("Cancelled.");
            return ExitCodes.Failed;
        }
    }

    private static RootCommand Build(CliContext context)
    {
        var options = new Options(context);
        var push = new Command("push", "Push events to Stride")
        {
            options.ApiKey, options.BaseUrl, options.System,
            PushCommands.Change(options, context),
            PushCommands.Deployment(options, context),
            PushCommands.Incident(options, context),
            new Command("git", "Push events read from git") { GitDeploymentCommand.Create(options, context) },
        };
        var import = new Command("import", "Backfill history")
        {
            options.ApiKey, options.BaseUrl, options.System,
            ImportGitCommand.Create(options, context),
        };
        var version = new Command("version", "Print the version");
        version.SetAction(async (_, _) =>
        {
            await context.Output.WriteLineAsync($"stride {Version}");
            return ExitCodes.Success;
        });
        return new RootCommand("Pushes changes, deployments and incidents to Stride, which turns them into DORA metrics.")
        {
            push, import, version,
        };
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new Stack<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(result.Command is RootCommand ? "stride" : result.Command.Name);
        }

        return names;
    }
}
