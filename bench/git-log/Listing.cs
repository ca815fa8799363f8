using System.Diagnostics;
using System.Globalization;
using System.Text;
using LibGit2Sharp;

namespace GitLogBench;

/// <summary>A listed commit: its SHA and its author's time (Unix seconds).</summary>
internal sealed record CommitRow(string Sha, long AuthorTime);

/// <summary>A listed tag: its name, the commit it points at, and its time (the tagger's, or the commit's for a lightweight tag).</summary>
internal sealed record TagRow(string Name, string Commit, long Time);

/// <summary>
/// How LibGit2Sharp filters by path. <see cref="QueryByPath"/> is what it offers
/// (<c>repo.Commits.QueryBy(path, filter)</c>: one path, renames followed, merges never listed);
/// <see cref="TreeSame"/> is what git does, written by hand on top of the commit walk.
/// </summary>
internal enum PathMode
{
    QueryByPath,
    TreeSame,
}

/// <summary>The listing as the CLI does it now: the git executable, its output parsed.</summary>
internal static class GitCli
{
    public static async Task<List<CommitRow>> LogAsync(string directory, string? from, string to, IReadOnlyList<string> paths)
    {
        List<string> args = ["log", "--format=%H %at", from is null ? to : $"{from}..{to}", "--", .. paths];
        var output = await RunAsync(directory, args);
        var commits = new List<CommitRow>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            commits.Add(new CommitRow(line[..space], long.Parse(line[(space + 1)..], CultureInfo.InvariantCulture)));
        }

        return commits;
    }

    public static async Task<List<TagRow>> TagsAsync(string directory, string pattern)
    {
        var output = await RunAsync(
            directory,
            ["for-each-ref", "--sort=v:refname", "--sort=creatordate",
             "--format=%(refname:short)%09%(objecttype)%09%(objectname)%09%(*objectname)%09%(creatordate:unix)",
             "refs/tags/" + pattern]);
        var tags = new List<TagRow>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            var commit = fields[1] == "tag" ? fields[3] : fields[2];
            if (fields[1] is "commit" or "tag" && commit.Length > 0)
            {
                tags.Add(new TagRow(fields[0], commit, long.Parse(fields[4], CultureInfo.InvariantCulture)));
            }
        }

        return tags;
    }

    private static async Task<string> RunAsync(string directory, IReadOnlyList<string> args)
    {
        // As src/Stride.Cli/Git/GitRepository.cs starts git: ArgumentList, the same -c and environment.
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("log.showSignature=false");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("git could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {args[0]} exited {process.ExitCode}: {(await error).Trim()}");
        }

        return await output;
    }
}

/// <summary>The same listing through LibGit2Sharp; each call opens the repository, as one CLI run would.</summary>
internal static class LibGit2
{
    public static List<CommitRow> Log(string directory, string? from, string to, IReadOnlyList<string> paths, PathMode mode)
    {
        using var repo = Open(directory);
        var filter = new CommitFilter { IncludeReachableFrom = to, ExcludeReachableFrom = from };
        var commits = new List<CommitRow>();
        if (paths.Count == 0)
        {
            foreach (var commit in repo.Commits.QueryBy(filter))
            {
                commits.Add(Row(commit));
            }
        }
        else if (mode == PathMode.QueryByPath)
        {
            if (paths.Count != 1)
            {
                throw new ArgumentException("QueryBy(path, filter) takes one path.", nameof(paths));
            }

            foreach (var entry in repo.Commits.QueryBy(paths[0], filter))
            {
                commits.Add(Row(entry.Commit));
            }
        }
        else
        {
            foreach (var commit in repo.Commits.QueryBy(filter))
            {
                if (ChangesPaths(commit, paths))
                {
                    commits.Add(Row(commit));
                }
            }
        }

        return commits;
    }

    public static List<TagRow> Tags(string directory, string pattern)
    {
        using var repo = Open(directory);
        var tags = new List<TagRow>();
        foreach (var reference in repo.Refs.FromGlob("refs/tags/" + pattern))
        {
            var name = reference.CanonicalName["refs/tags/".Length..];
            switch (reference.ResolveToDirectReference().Target)
            {
                case Commit commit:
                    tags.Add(new TagRow(name, commit.Sha, commit.Committer.When.ToUnixTimeSeconds()));
                    break;
                case TagAnnotation { Target: Commit commit } annotation:
                    tags.Add(new TagRow(name, commit.Sha, annotation.Tagger.When.ToUnixTimeSeconds()));
                    break;
                default:
                    break;   // a tag of a tree, a blob or another tag: no commit
            }
        }

        tags.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : string.CompareOrdinal(a.Name, b.Name));
        return tags;
    }

    /// <summary>Opens the repository containing <paramref name="directory"/> (any folder of its work tree).</summary>
    public static Repository Open(string directory)
        => new(Repository.Discover(directory) ?? throw new RepositoryNotFoundException($"'{directory}' is not in a git repository."));

    private static CommitRow Row(Commit commit) => new(commit.Sha, commit.Author.When.ToUnixTimeSeconds());

    /// <summary>
    /// git's rule for a path-limited log (without its pruning of side branches): a commit is listed when
    /// the paths differ from every parent's (a root commit: when they exist).
    /// </summary>
    private static bool ChangesPaths(Commit commit, IReadOnlyList<string> paths)
    {
        var mine = new ObjectId?[paths.Count];
        for (var i = 0; i < paths.Count; i++)
        {
            mine[i] = commit.Tree[paths[i]]?.Target.Id;
        }

        var parents = 0;
        foreach (var parent in commit.Parents)
        {
            parents++;
            var differs = false;
            for (var i = 0; i < paths.Count && !differs; i++)
            {
                differs = mine[i] != parent.Tree[paths[i]]?.Target.Id;
            }

            if (!differs)
            {
                return false;   // the same as this parent there: git does not list it
            }
        }

        return parents > 0 || mine.Any(id => id is not null);
    }
}
