using System.Diagnostics;
using LibGit2Sharp;

namespace GitLogBench;

/// <summary>
/// Repositories a CI runner may hand the CLI, read both ways: shallow, SHA-256, worktree, partial
/// clone, owned by another user. Prints a Markdown table of what each way answers.
/// </summary>
internal static class Robustness
{
    public static void Run(string work)
    {
        var mark = Path.Combine(work, ".gitlogbench-robustness");
        if (Directory.Exists(work))
        {
            if (!File.Exists(mark) && Directory.EnumerateFileSystemEntries(work).Any())
            {
                throw new ArgumentException($"'{work}' exists and was not made by GitLogBench; give another --work.");
            }

            Directory.Delete(work, recursive: true);
        }

        Directory.CreateDirectory(work);
        File.WriteAllText(mark, "made by GitLogBench --robustness; deleted by its next run\n");
        var source = Path.Combine(work, "source");
        SyntheticRepo.Ensure(source, 1_000);   // tags r100..r1000 and r990; HEAD = commit 1000
        // Two commits on top: a 60-line file added in src/mod3, then renamed and edited (a rename that
        // only content similarity detects, which needs the blobs).
        var big = string.Concat(Enumerable.Range(1, 60).Select(i => $"line {i} of a file long enough for rename detection\n"));
        File.WriteAllText(Path.Combine(source, "src", "mod3", "big.cs"), big);
        Git.Run(source, "add", "src/mod3/big.cs");
        Git.Run(source, "commit", "-q", "-m", "add big.cs");
        Git.Run(source, "mv", "src/mod3/big.cs", "src/mod3/renamed.cs");
        File.WriteAllText(Path.Combine(source, "src", "mod3", "renamed.cs"), big.Replace("line 1 ", "line one ", StringComparison.Ordinal));
        Git.Run(source, "commit", "-q", "-a", "-m", "rename big.cs to renamed.cs and edit it");
        var url = new Uri(source + "/").AbsoluteUri;

        Console.WriteLine($"Source: {source} (1002 commits: the synthetic 1000, then a file added and renamed), {Git.Run(work, "version").Trim()}, "
            + $"LibGit2Sharp {typeof(Repository).Assembly.GetName().Version} (libgit2 {GlobalSettings.Version.LibGit2CommitSha}).");
        Console.WriteLine();
        Console.WriteLine("| repository | listing | right answer | git | LibGit2Sharp |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");

        Row("full clone (reference)", Clone(work, "full", url), "r900..HEAD", [], "102 commits");
        Row("full clone (reference)", Path.Combine(work, "full"), "r900..HEAD -- src/mod3", ["src/mod3"], "5 commits");
        Row("full clone (reference)", Path.Combine(work, "full"), "r900..HEAD -- src/mod3/renamed.cs", ["src/mod3/renamed.cs"],
            "1 commit (git log without --follow), 2 following the rename");

        // Shallow: what actions/checkout gives by default (depth 1), here depth 5.
        var shallow = Clone(work, "shallow", url, "--depth", "5");
        Check("shallow `--depth 5`", "IsShallow", "yes",
            () => Git.Run(shallow, "rev-parse", "--is-shallow-repository").Trim() == "true" ? "yes" : "no",
            () => { using var r = LibGit2.Open(shallow); return r.Info.IsShallow ? "yes" : "no"; });
        Row("shallow `--depth 5`", shallow, "HEAD", [], "5 commits (all there are)");
        var inside = Git.Run(shallow, "rev-parse", "HEAD~2").Trim();
        Row("shallow `--depth 5`", shallow, $"{inside[..8]}..HEAD", [], "2 commits", range: $"{inside}..HEAD");
        var outside = Git.Run(source, "rev-parse", "r900^{commit}").Trim();
        Row("shallow `--depth 5`", shallow, $"{outside[..8]}..HEAD", [], "an error: A (r900's commit) was not fetched", range: $"{outside}..HEAD");
        var deepened = Clone(work, "shallow-plus-tag", url, "--depth", "5");
        Git.Run(deepened, "fetch", "-q", "--depth", "1", "origin", "tag", "r900");
        Row("shallow `--depth 5` + `fetch --depth 1 origin tag r900`", deepened, "r900..HEAD", [],
            "102 commits, or an error: the history between them is missing");

        // SHA-256 object format.
        var sha256 = Path.Combine(work, "sha256");
        Directory.CreateDirectory(sha256);
        Git.Run(sha256, "init", "-q", "--object-format=sha256", "-b", "main");
        for (var i = 1; i <= 3; i++)
        {
            Git.Run(sha256, "commit", "-q", "--allow-empty", "-m", $"commit {i}");
        }

        Row("`git init --object-format=sha256`", sha256, "HEAD~2..HEAD", [], "2 commits");

        // A linked worktree, checked out at another commit than the main one.
        var main = Clone(work, "worktree-main", url);
        var worktree = Path.Combine(work, "worktree");
        Git.Run(main, "worktree", "add", "-q", "--detach", worktree, "r900");
        Row("`git worktree add --detach ../worktree r900`", worktree, "r800..HEAD", [], "100 commits (HEAD is the worktree's, r900)");
        Row("the same, from its subfolder `src/`", Path.Combine(worktree, "src"), "r800..HEAD", [], "100 commits");

        // A blobless partial clone (what some CI set-ups use to clone big repositories fast).
        Git.Run(source, "config", "uploadpack.allowFilter", "true");
        var partial = Clone(work, "partial", url, "--filter=blob:none");
        Row("partial `--filter=blob:none`", partial, "r900..HEAD", [], "102 commits");
        Row("partial `--filter=blob:none`", partial, "r900..HEAD -- src/mod3", ["src/mod3"], "as in the full clone");
        Row("partial `--filter=blob:none`", partial, "r900..HEAD -- src/mod3/renamed.cs", ["src/mod3/renamed.cs"], "as in the full clone");
        Check("partial `--filter=blob:none`", "tags r*", "11 tags",
            () => $"{GitCli.TagsAsync(partial, "r*").GetAwaiter().GetResult().Count} tags",
            () => $"{LibGit2.Tags(partial, "r*").Count} tags");

        // Older git releases recorded a partial clone as extensions.partialClone (git 2.39 writes remote.<name>.promisor).
        var older = Clone(work, "partial-extension", url, "--filter=blob:none");
        Git.Run(older, "config", "extensions.partialClone", "origin");
        Row("partial, with `extensions.partialClone = origin` (as older git wrote it)", older, "r900..HEAD", [], "102 commits");

        // Owned by another user (a container job whose checkout belongs to the runner's user).
        if (Environment.UserName == "root")
        {
            var owned = Clone(work, "owned-by-nobody", url);
            using (var chown = Process.Start("chown", ["-R", "nobody", owned]))
            {
                chown.WaitForExit();
            }

            Row("clone owned by another user (`chown -R nobody`), read as root", owned, "r900..HEAD", [],
                "102 commits, or git's 'dubious ownership' refusal");
        }
    }

    private static string Clone(string work, string name, string url, params string[] options)
    {
        var target = Path.Combine(work, name);
        Git.Run(work, ["clone", "-q", .. options, url, target]);
        return target;
    }

    /// <summary>One range listed both ways; <paramref name="shown"/> names it in the table, <paramref name="range"/> (default: its first word) is what is asked.</summary>
    private static void Row(string repository, string directory, string shown, string[] paths, string expected, string? range = null)
    {
        range ??= shown.Split(' ')[0];
        var dots = range.IndexOf("..", StringComparison.Ordinal);
        var (from, to) = dots < 0 ? (null, range) : (range[..dots], range[(dots + 2)..]);
        var git = Outcome(() => Describe(GitCli.LogAsync(directory, from, to, paths).GetAwaiter().GetResult()));
        var libgit2 = paths.Length == 0
            ? Outcome(() => Describe(LibGit2.Log(directory, from, to, paths, PathMode.QueryByPath)))
            : $"`QueryBy(path)`: {Outcome(() => Describe(LibGit2.Log(directory, from, to, paths, PathMode.QueryByPath)))}; "
              + $"walk + tree compare by hand: {Outcome(() => Describe(LibGit2.Log(directory, from, to, paths, PathMode.TreeSame)))}";
        Print(repository, shown, expected, git, libgit2);
    }

    private static void Check(string repository, string listing, string expected, Func<string> git, Func<string> libgit2)
        => Print(repository, listing, expected, Outcome(git), Outcome(libgit2));

    private static void Print(string repository, string listing, string expected, string git, string libgit2)
        => Console.WriteLine($"| {repository} | `{listing}` | {expected} | {git} | {libgit2} |");

    private static string Describe(List<CommitRow> commits) => commits.Count == 1 ? "1 commit" : $"{commits.Count} commits";

    private static string Outcome(Func<string> call)
    {
        try
        {
            return call();
        }
        catch (Exception e)
        {
            var message = e.Message.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal).Trim();
            if (message.Length > 160)
            {
                message = message[..160] + "…";
            }

            return $"**{e.GetType().Name}**: {message}";
        }
    }
}
