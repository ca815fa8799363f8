namespace Stride.Cli.Tests.Support;

/// <summary>
/// <see cref="GitRepo"/> makes the history it is asked for, checked through git itself, so that a
/// failing CLI test points at the CLI and not at its fixture. Also pins the git behaviour the CLI
/// relies on in shallow clones.
/// </summary>
public sealed class GitRepoTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 10, 0, 0, TimeSpan.FromHours(2));

    [Fact]
    public void InitMakesAnEmptyRepositoryOnMainWithItsOwnIdentity()
    {
        using var repo = GitRepo.Init();

        Assert.True(Directory.Exists(Path.Combine(repo.Path, ".git")));
        Assert.Equal("main", repo.Run("symbolic-ref", "--short", "HEAD"));
        Assert.Equal(GitRepo.UserEmail, repo.Run("config", "--local", "user.email"));
        Assert.Equal("false", repo.Run("config", "--local", "commit.gpgsign"));
        Assert.NotEqual(0, repo.TryRun("rev-parse", "--verify", "HEAD").ExitCode);
    }

    [Fact]
    public void CommitRecordsTheAuthorAndCommitterTimesWithTheirOffsets()
    {
        using var repo = GitRepo.Init();
        var authored = T0;
        var committed = new DateTimeOffset(2024, 3, 2, 8, 30, 15, TimeSpan.FromHours(-5));

        var first = repo.Commit("first", authored);
        var second = repo.Commit("second", authored.AddHours(1), committed);

        Assert.Matches("^[0-9a-f]{40}$", first);
        Assert.Equal(second, repo.Head);
        var log = repo.Run("log", "--format=%H %at %ct %ai|%ci|%an <%ae>|%s").Split('\n');
        Assert.Equal(
            [
                $"{second} {authored.AddHours(1).ToUnixTimeSeconds()} {committed.ToUnixTimeSeconds()} 2024-03-01 11:00:00 +0200|2024-03-02 08:30:15 -0500|{GitRepo.UserName} <{GitRepo.UserEmail}>|second",
                $"{first} {authored.ToUnixTimeSeconds()} {authored.ToUnixTimeSeconds()} 2024-03-01 10:00:00 +0200|2024-03-01 10:00:00 +0200|{GitRepo.UserName} <{GitRepo.UserEmail}>|first",
            ],
            log);
    }

    [Fact]
    public void CommitChangesTheNamedFilesCreatingFoldersAndAlwaysHasSomethingToCommit()
    {
        using var repo = GitRepo.Init();

        var first = repo.Commit("add", T0, null, "src/deep/a.cs", "README.md");
        var second = repo.Commit("again", T0, null, "src/deep/a.cs");
        var third = repo.Commit("default", T0);
        var fourth = repo.Commit("default again", T0);

        Assert.Equal(4, new[] { first, second, third, fourth }.Distinct().Count());
        Assert.Equal(["README.md", "src/deep/a.cs"], ChangedFiles(repo, first));
        Assert.Equal(["src/deep/a.cs"], ChangedFiles(repo, second));
        Assert.Single(ChangedFiles(repo, third));
        Assert.Single(ChangedFiles(repo, fourth));
        Assert.Equal("", repo.Run("status", "--porcelain"));
    }

    [Fact]
    public void CommitAlsoStagesFilesWrittenByHand()
    {
        using var repo = GitRepo.Init();
        File.WriteAllText(Path.Combine(repo.Path, "hand.txt"), "written by the test\n");

        var sha = repo.Commit("both", T0, null, "named.txt");

        Assert.Equal(["hand.txt", "named.txt"], ChangedFiles(repo, sha));
    }

    [Fact]
    public void MergeMakesARealMergeCommitAtTheGivenTime()
    {
        using var repo = GitRepo.Init();
        var root = repo.Commit("root", T0);
        repo.Checkout("feature", create: true);
        var feature = repo.Commit("feature work", T0.AddHours(1));
        repo.Checkout("main");
        var main = repo.Commit("main work", T0.AddHours(2));   // both branches moved: default files must not conflict
        var mergedAt = T0.AddHours(3);

        var merge = repo.Merge("feature", "Merge feature", mergedAt);

        Assert.Equal(
            $"{merge} {main} {feature} {mergedAt.ToUnixTimeSeconds()} {mergedAt.ToUnixTimeSeconds()} Merge feature",
            repo.Run("log", "-1", "--format=%H %P %at %ct %s", merge));
        Assert.Equal(root, repo.Run("merge-base", main, feature));
        Assert.Equal("main", repo.Run("branch", "--show-current"));
    }

    [Fact]
    public void MergeOfABranchThatCouldFastForwardStillMakesAMergeCommit()
    {
        using var repo = GitRepo.Init();
        var root = repo.Commit("root", T0);
        repo.Branch("feature");
        repo.Checkout("feature");
        var feature = repo.Commit("feature work", T0.AddHours(1));
        repo.Checkout("main");

        var merge = repo.Merge("feature", "Merge feature", T0.AddHours(2));

        Assert.Equal($"{root} {feature}", repo.Run("log", "-1", "--format=%P", merge));
    }

    [Fact]
    public void BranchStartsAtTheGivenCommit()
    {
        using var repo = GitRepo.Init();
        var first = repo.Commit("first", T0);
        repo.Commit("second", T0.AddMinutes(1));

        repo.Branch("hotfix", first);

        Assert.Equal(first, repo.Run("rev-parse", "hotfix"));
        Assert.Equal("main", repo.Run("branch", "--show-current"));
    }

    [Fact]
    public void TagsAreLightweightOrAnnotatedWithTheTaggerTime()
    {
        using var repo = GitRepo.Init();
        var first = repo.Commit("first", T0);
        var second = repo.Commit("second", T0.AddDays(1));
        var taggedAt = new DateTimeOffset(2024, 4, 1, 12, 0, 0, TimeSpan.Zero);

        repo.Tag("light-head");
        repo.Tag("light-first", first);
        repo.AnnotatedTag("v1.0.0", taggedAt, first, "first release");
        repo.AnnotatedTag("v1.1.0", taggedAt.AddDays(1));

        var refs = repo.Run("for-each-ref", "refs/tags", "--format=%(refname:short) %(objecttype) %(*objectname) %(objectname) %(taggerdate:unix) %(contents:subject)")
            .Split('\n');
        Assert.Equal(
            [
                $"light-first commit  {first}  first",   // a lightweight tag shows its commit's subject
                $"light-head commit  {second}  second",
                $"v1.0.0 tag {first} {repo.Run("rev-parse", "v1.0.0")} {taggedAt.ToUnixTimeSeconds()} first release",
                $"v1.1.0 tag {second} {repo.Run("rev-parse", "v1.1.0")} {taggedAt.AddDays(1).ToUnixTimeSeconds()} release",
            ],
            refs);
        Assert.Equal(first, repo.Run("rev-parse", "v1.0.0^{commit}"));
    }

    [Fact]
    public void ShallowCloneHoldsOnlyTheLastCommitsAndIsDeletedOnDispose()
    {
        using var repo = GitRepo.Init();
        var shas = Enumerable.Range(0, 4).Select(i => repo.Commit($"c{i}", T0.AddHours(i))).ToArray();
        string clonePath;

        using (var clone = repo.CloneShallow(2))
        {
            clonePath = clone.Path;
            Assert.NotEqual(repo.Path, clone.Path);
            Assert.Equal("true", clone.Run("rev-parse", "--is-shallow-repository"));
            Assert.Equal(shas[3], clone.Head);
            Assert.Equal([shas[3], shas[2]], clone.Run("rev-list", "HEAD").Split('\n'));
            Assert.Equal(shas[2], clone.Run("rev-parse", "HEAD~1"));

            // The clone can make its own commits with the fixture's identity and times.
            var local = clone.Commit("local", T0.AddDays(1));
            Assert.Equal($"{shas[3]} {T0.AddDays(1).ToUnixTimeSeconds()}", clone.Run("log", "-1", "--format=%P %ct", local));
        }

        Assert.False(Directory.Exists(clonePath));
        Assert.Equal(shas[0], repo.Run("rev-list", "--max-parents=0", "HEAD"));   // the original is untouched
    }

    /// <summary>
    /// How git answers for history that a shallow clone cut off: the CLI must tell this apart from
    /// a commit that does not exist at all, and ask for a deeper fetch.
    /// </summary>
    [Fact]
    public void ShallowCloneShowsItsBoundaryCommitWithoutParentsAndFailsOnCutOffCommits()
    {
        using var repo = GitRepo.Init();
        var shas = Enumerable.Range(0, 4).Select(i => repo.Commit($"c{i}", T0.AddHours(i))).ToArray();
        using var clone = repo.CloneShallow(2);

        // The boundary commit lists no parents, as if it were a root commit; only the shallow file tells.
        Assert.Equal("", clone.Run("log", "-1", "--format=%P", shas[2]));
        Assert.Equal(shas[2], File.ReadAllText(Path.Combine(clone.Path, ".git", "shallow")).Trim());
        Assert.Contains($"parent {shas[1]}", clone.Run("cat-file", "-p", shas[2]));   // the object itself still names it

        // A full SHA that is not in the clone: "Invalid revision range"; a short one or a name: "ambiguous argument".
        var range = clone.TryRun("log", "--format=%H", $"{shas[0]}..HEAD");
        Assert.Equal(128, range.ExitCode);
        Assert.Equal($"fatal: Invalid revision range {shas[0]}..HEAD\n", range.StandardError);
        var shortRange = clone.TryRun("log", "--format=%H", $"{shas[0][..7]}..HEAD");
        Assert.Equal(128, shortRange.ExitCode);
        Assert.StartsWith($"fatal: ambiguous argument '{shas[0][..7]}..HEAD': unknown revision or path not in the working tree.", shortRange.StandardError);

        // rev-parse of a full SHA does not check that the object exists; ^{commit} with --verify does.
        Assert.Equal(shas[0], clone.Run("rev-parse", shas[0]));
        var verify = clone.TryRun("rev-parse", "--verify", $"{shas[0]}^{{commit}}");
        Assert.Equal(128, verify.ExitCode);
        Assert.Equal("fatal: Needed a single revision\n", verify.StandardError);
    }

    /// <summary>A CI checkout of depth 1 sees no older tag, so "changes since the last tag" cannot be found there.</summary>
    [Fact]
    public void ShallowCloneFetchesOnlyTheTagsAndBranchInItsHistory()
    {
        using var repo = GitRepo.Init();
        var first = repo.Commit("first", T0);
        repo.AnnotatedTag("v1", T0.AddHours(1));
        repo.Checkout("feature", create: true);
        repo.Commit("feature work", T0.AddHours(2));
        repo.Checkout("main");
        repo.Commit("second", T0.AddHours(3));
        repo.Tag("v2");

        using var clone = repo.CloneShallow(1);

        Assert.Equal("v2", clone.Run("tag", "--list"));
        Assert.Equal(["origin/HEAD -> origin/main", "origin/main"], clone.Run("branch", "--remotes").Split('\n').Select(b => b.Trim()));
        Assert.Equal(128, clone.TryRun("rev-parse", "--verify", $"{first}^{{commit}}").ExitCode);
        Assert.Equal("v2", clone.Run("describe", "--tags"));
    }

    [Fact]
    public void RunThrowsWithGitsErrorOutput()
    {
        using var repo = GitRepo.Init();
        repo.Commit("first", T0);

        var e = Assert.Throws<InvalidOperationException>(() => repo.Run("rev-parse", "no-such-ref"));

        Assert.Contains("fatal: ambiguous argument 'no-such-ref': unknown revision or path not in the working tree.", e.Message);
        Assert.Contains("exited with 128", e.Message);
    }

    [Fact]
    public void DisposeDeletesTheFolderWithItsReadOnlyObjects()
    {
        var repo = GitRepo.Init();
        repo.Commit("first", T0);

        repo.Dispose();
        repo.Dispose();

        Assert.False(Directory.Exists(repo.Path));
    }

    private static string[] ChangedFiles(GitRepo repo, string sha)
        => repo.Run("show", "--name-only", "--format=", sha).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();
}
