using System.Diagnostics;
using System.Globalization;

namespace Stride.Cli.Tests.Support;

/// <summary>The outcome of one git call: its exit code and both streams, untrimmed.</summary>
internal sealed record GitResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// A real git repository in a new temporary folder, driven through the <c>git</c> executable, for
/// tests of commands that read history (commits, merges, tags, shallow clones) the way CI sees it.
/// </summary>
/// <remarks>
/// Every call runs with <c>HOME</c> set to the repository folder, <c>GIT_CONFIG_NOSYSTEM=1</c>, no
/// inherited <c>GIT_*</c> variables and the identity in the repository's own config, so that neither
/// the machine's git config nor a surrounding git process (a hook sets <c>GIT_DIR</c>) changes what
/// the tests see. <c>LC_ALL=C</c> keeps git's messages in English, as tests compare them.
/// </remarks>
internal sealed class GitRepo : IDisposable
{
    /// <summary>The branch that <see cref="Init"/> starts on.</summary>
    public const string DefaultBranch = "main";

    /// <summary>The identity of every commit, merge and annotated tag.</summary>
    public const string UserName = "Stride Test";

    /// <inheritdoc cref="UserName"/>
    public const string UserEmail = "stride-test@example.invalid";

    /// <summary>Long enough for a clone on a slow machine; short enough that a hung git fails the test.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Passed to every call as well as written to the local config at init, so that a call made
    /// before that config exists (init, clone) is already independent of the machine.
    /// </summary>
    private static readonly string[] ConfigArguments =
    [
        "-c", $"user.name={UserName}",
        "-c", $"user.email={UserEmail}",
        "-c", "commit.gpgsign=false",
        "-c", "tag.gpgsign=false",
        "-c", $"init.defaultBranch={DefaultBranch}",
    ];

    private int _commits;
    private bool _disposed;

    private GitRepo(string path)
    {
        Path = path;
    }

    /// <summary>The repository's working tree (and its <c>.git</c> lives in it).</summary>
    public string Path { get; }

    /// <summary>The full SHA of <c>HEAD</c>.</summary>
    public string Head => Run("rev-parse", "HEAD");

    /// <summary>Creates an empty repository on branch <see cref="DefaultBranch"/>, with no commits.</summary>
    public static GitRepo Init()
    {
        var repo = new GitRepo(Directory.CreateTempSubdirectory("stride-git-").FullName);
        try
        {
            repo.Run("init", "--quiet", $"--initial-branch={DefaultBranch}");
            repo.WriteLocalConfig();
            return repo;
        }
        catch
        {
            repo.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Changes each given file (relative to <see cref="Path"/>; folders are created), stages every
    /// change in the working tree and commits with these times. Returns the new commit's full SHA.
    /// </summary>
    /// <param name="message">The commit message.</param>
    /// <param name="authorTime">The author date; git keeps whole seconds and this offset.</param>
    /// <param name="committerTime">The committer date; the author date when not given.</param>
    /// <param name="files">
    /// Files to change: each gets one new line, so that every commit has something to commit. With
    /// none, the commit adds a file of its own (<c>changes/N.txt</c>) instead of changing a shared
    /// one, so that commits made on two branches never conflict when the branches are merged.
    /// </param>
    public string Commit(string message, DateTimeOffset authorTime, DateTimeOffset? committerTime = null, params string[] files)
    {
        _commits++;
        if (files.Length == 0)
        {
            files = [NewChangeFile()];
        }

        foreach (var file in files)
        {
            var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(Path, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.AppendAllText(full, $"commit {_commits}: {message}\n");
        }

        Run("add", "--all");
        Run(Dates(authorTime, committerTime ?? authorTime), "commit", "--quiet", "--no-verify", "-m", message);
        return Head;
    }

    /// <summary>Creates a branch at <paramref name="startPoint"/> (default <c>HEAD</c>) without switching to it.</summary>
    public void Branch(string name, string? startPoint = null)
        => Run(startPoint is null ? ["branch", name] : ["branch", name, startPoint]);

    /// <summary>Switches to a branch (or detaches at a commit); with <paramref name="create"/>, makes the branch first.</summary>
    public void Checkout(string name, bool create = false)
        => Run(create ? ["checkout", "--quiet", "-b", name] : ["checkout", "--quiet", name]);

    /// <summary>
    /// Merges <paramref name="branch"/> into the current branch as a real merge commit
    /// (<c>--no-ff</c>, even when a fast-forward was possible), authored and committed at
    /// <paramref name="time"/>. Returns the merge commit's full SHA; throws on a conflict.
    /// </summary>
    public string Merge(string branch, string message, DateTimeOffset time)
    {
        Run(Dates(time, time), "merge", "--quiet", "--no-ff", "--no-edit", "--no-verify", "-m", message, branch);
        return Head;
    }

    /// <summary>Creates a lightweight tag at <paramref name="sha"/> (default <c>HEAD</c>).</summary>
    public void Tag(string name, string? sha = null)
        => Run(sha is null ? ["tag", name] : ["tag", name, sha]);

    /// <summary>
    /// Creates an annotated tag at <paramref name="sha"/> (default <c>HEAD</c>) whose tagger date is
    /// <paramref name="taggerTime"/> (git takes it from <c>GIT_COMMITTER_DATE</c>).
    /// </summary>
    public void AnnotatedTag(string name, DateTimeOffset taggerTime, string? sha = null, string message = "release")
    {
        string[] args = ["tag", "--annotate", "-m", message, name];
        Run(Dates(taggerTime, taggerTime), sha is null ? args : [.. args, sha]);
    }

    /// <summary>
    /// Clones this repository with <c>--depth</c>, as CI checkouts do, into a new temporary folder.
    /// As with any shallow clone, only the branch at <c>HEAD</c> (or <paramref name="branch"/>) is
    /// fetched, and tags are fetched only where they point into the fetched history.
    /// </summary>
    public GitRepo CloneShallow(int depth, string? branch = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        var clone = new GitRepo(Directory.CreateTempSubdirectory("stride-git-").FullName);
        try
        {
            // A file:// URL, because git ignores --depth for a plain local path.
            string[] args = ["clone", "--quiet", "--depth", depth.ToString(CultureInfo.InvariantCulture)];
            if (branch is not null)
            {
                args = [.. args, "--branch", branch];
            }

            clone.Run([.. args, new Uri(Path).AbsoluteUri, "."]);
            clone.WriteLocalConfig();
            return clone;
        }
        catch
        {
            clone.Dispose();
            throw;
        }
    }

    /// <summary>Runs git in the repository; returns its trimmed standard output, or throws with its error output.</summary>
    /// <exception cref="InvalidOperationException">git exited with a code other than 0.</exception>
    public string Run(params string[] args) => Run(new Dictionary<string, string>(), args);

    /// <summary>Runs git in the repository and returns its outcome whatever its exit code, for tests of failures.</summary>
    public GitResult TryRun(params string[] args) => Execute(new Dictionary<string, string>(), args);

    /// <summary>Deletes the folder; a file still held open is left for the OS to clean up.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            // Git writes its objects read-only: harmless on Unix, but Windows refuses to delete them.
            foreach (var file in Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leftovers in the temp folder do not change a test's outcome.
        }
    }

    private string Run(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var result = Execute(environment, args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"git {string.Join(' ', args)} exited with {result.ExitCode} in {Path}:\n{result.StandardError}{result.StandardOutput}");
        }

        return result.StandardOutput.Trim();
    }

    private GitResult Execute(IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = Path,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in ConfigArguments.Concat(args))
        {
            start.ArgumentList.Add(argument);
        }

        // Inherited GIT_* variables (GIT_DIR from a hook, GIT_CONFIG_PARAMETERS, GIT_AUTHOR_DATE…) would
        // point git elsewhere or change what it records.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("GIT_", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(name);
        }

        start.Environment.Remove("XDG_CONFIG_HOME");   // git reads $XDG_CONFIG_HOME/git/config as global config
        start.Environment["HOME"] = Path;
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_EDITOR"] = "true";     // never wait for an editor that no one will close
        start.Environment["LC_ALL"] = "C";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("Could not start git.");
        process.StandardInput.Close();   // git must not wait for input
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"git {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds} s in {Path}.");
        }

        // Both reads end at the streams' end, which follows the exit.
        return new GitResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary>
    /// The identity in the repository's own config too, so that git run by the code under test
    /// (which sees the real HOME) can commit or tag here without the machine's config.
    /// </summary>
    private void WriteLocalConfig()
    {
        for (var i = 1; i < ConfigArguments.Length; i += 2)
        {
            var separator = ConfigArguments[i].IndexOf('=', StringComparison.Ordinal);
            Run("config", "--local", ConfigArguments[i][..separator], ConfigArguments[i][(separator + 1)..]);
        }
    }

    /// <summary>A file name that no commit of this repository (or of the one it was cloned from) has used.</summary>
    private string NewChangeFile()
    {
        var number = _commits;
        while (File.Exists(System.IO.Path.Combine(Path, "changes", $"{number}.txt")))
        {
            number++;
        }

        _commits = number;
        return System.IO.Path.Combine("changes", $"{number}.txt");
    }

    /// <summary>Author and committer dates as ISO 8601 with the offset, which git keeps as given.</summary>
    private static Dictionary<string, string> Dates(DateTimeOffset author, DateTimeOffset committer) => new()
    {
        ["GIT_AUTHOR_DATE"] = Iso(author),
        ["GIT_COMMITTER_DATE"] = Iso(committer),
    };

    private static string Iso(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
