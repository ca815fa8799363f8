using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Stride.Cli.Git;

/// <summary>A commit as deployments need it: its SHA and its author's time.</summary>
internal sealed record GitCommit(string Sha, long AuthorTime);

/// <summary>A tag with the commit it points at and its time (the tagger's for an annotated tag, else the commit's).</summary>
internal sealed record GitTag(string Name, string Commit, long Time);

/// <summary>Reads a repository through the <c>git</c> executable.</summary>
/// <remarks>
/// The executable rather than a library: it handles every repository a CI runner checks out
/// (shallow, partial, worktrees, any object format) exactly as the user's own git does, and it is
/// already on every machine that has a repository. See bench/git-log/README.md for the timing against
/// LibGit2Sharp.
/// </remarks>
internal sealed class GitRepository
{
    private readonly string _directory;

    private GitRepository(string directory) => _directory = directory;

    /// <summary>Opens the repository that contains <paramref name="directory"/>.</summary>
    /// <exception cref="UsageException">The directory is missing or not inside a git work tree.</exception>
    public static async Task<GitRepository> OpenAsync(string directory, CancellationToken ct)
    {
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"The directory '{directory}' does not exist.");
        }

        var repository = new GitRepository(directory);
        var inside = await repository.TryRunAsync(["rev-parse", "--is-inside-work-tree"], ct);
        if (inside.ExitCode != 0 && inside.Error.Contains("dubious ownership", StringComparison.Ordinal))
        {
            // Common in CI containers: the checkout belongs to another user, and git says how to allow it.
            throw new CommandFailedException($"git refuses to read '{Path.GetFullPath(directory)}': {inside.Error.Trim()}");
        }

        if (inside.ExitCode != 0 || inside.Output.Trim() != "true")
        {
            throw new UsageException($"'{Path.GetFullPath(directory)}' is not in a git repository (use --directory to point at one).");
        }

        return repository;
    }

    /// <summary>The commit a ref names (a SHA, a tag, a branch, <c>HEAD~2</c>...), or null when there is none.</summary>
    public async Task<string?> TryResolveAsync(string reference, CancellationToken ct)
    {
        var result = await TryRunAsync(["rev-parse", "--verify", "--quiet", "--end-of-options", reference + "^{commit}"], ct);
        return result.ExitCode == 0 ? result.Output.Trim() : null;
    }

    /// <summary>Whether this is a shallow clone, whose history stops early.</summary>
    public async Task<bool> IsShallowAsync(CancellationToken ct)
        => (await RunAsync(["rev-parse", "--is-shallow-repository"], ct)).Trim() == "true";

    /// <summary>Whether <paramref name="ancestor"/> is reachable from <paramref name="commit"/> in the history this clone has.</summary>
    public async Task<bool> IsAncestorAsync(string ancestor, string commit, CancellationToken ct)
        => (await TryRunAsync(["merge-base", "--is-ancestor", ancestor, commit], ct)).ExitCode == 0;

    /// <summary>The URL of the <c>origin</c> remote, or null.</summary>
    public async Task<string?> FindOriginUrlAsync(CancellationToken ct)
    {
        var result = await TryRunAsync(["remote", "get-url", "origin"], ct);
        return result.ExitCode == 0 && result.Output.Trim() is { Length: > 0 } url ? url : null;
    }

    /// <summary>
    /// The commits reachable from <paramref name="to"/> but not from <paramref name="from"/> (all
    /// reachable ones when <paramref name="from"/> is null), merges included, newest first; with
    /// <paramref name="paths"/>, only those touching them.
    /// </summary>
    public async Task<List<GitCommit>> LogAsync(string? from, string to, IReadOnlyList<string> paths, CancellationToken ct)
    {
        List<string> args = ["log", "--format=%H %at", from is null ? to : $"{from}..{to}", "--"];
        args.AddRange(paths);
        var output = await RunAsync(args, ct);
        var commits = new List<GitCommit>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            commits.Add(new GitCommit(line[..space], long.Parse(line[(space + 1)..], CultureInfo.InvariantCulture)));
        }

        return commits;
    }

    /// <summary>One commit, by SHA.</summary>
    public async Task<GitCommit> CommitAsync(string sha, CancellationToken ct)
    {
        var line = (await RunAsync(["log", "-1", "--format=%H %at", sha, "--"], ct)).Trim();
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return new GitCommit(line[..space], long.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>The tags matching a glob (as <c>git for-each-ref refs/tags/PATTERN</c>), oldest first, ties in version order.</summary>
    public async Task<List<GitTag>> TagsAsync(string pattern, CancellationToken ct)
    {
        // creatordate is the tagger's time for an annotated tag and the commit's for a lightweight one;
        // %(*objectname) is the commit an annotated tag points at (empty for a lightweight tag).
        var output = await RunAsync(
            ["for-each-ref", "--sort=v:refname", "--sort=creatordate",
             "--format=%(refname:short)%09%(objecttype)%09%(objectname)%09%(*objectname)%09%(creatordate:unix)",
             "refs/tags/" + pattern],
            ct);
        var tags = new List<GitTag>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            var commit = fields[1] == "tag" ? fields[3] : fields[2];
            if (fields[1] == "tag" && commit.Length == 0)
            {
                continue;   // a tag of a tag or of a tree: no commit to deploy
            }

            if (fields[1] is "commit" or "tag")
            {
                tags.Add(new GitTag(fields[0], commit, long.Parse(fields[4], CultureInfo.InvariantCulture)));
            }
        }

        return tags;
    }

    private async Task<string> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var result = await TryRunAsync(args, ct);
        if (result.ExitCode != 0)
        {
            throw new CommandFailedException($"git {string.Join(' ', args)} failed: {result.Error.Trim()}");
        }

        return result.Output;
    }

    private async Task<(int ExitCode, string Output, string Error)> TryRunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("log.showSignature=false");   // a user's config must not change the format we parse
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["LC_ALL"] = "C";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new CommandFailedException("git could not be started.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CommandFailedException($"git could not be started ({e.Message}); install git and put it on PATH.");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(ct);
            var error = process.StandardError.ReadToEndAsync(ct);
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, await output, await error);
        }
    }
}
