using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace GitLogBench;

/// <summary>
/// A synthetic repository written in one <c>git fast-import</c> stream.
/// </summary>
/// <remarks>
/// Layout for <c>N</c> commits (a multiple of 100, at least 200), numbered 1..N in time order:
/// <list type="bullet">
/// <item>commits 1..N-50 come in blocks of 50: 25 on <c>main</c>, 24 on a side branch forked from the
/// block's first commit and interleaved with them in time, then a merge of the side branch into
/// <c>main</c>;</item>
/// <item>commits N-49..N are a linear tail on <c>main</c> (HEAD is commit N);</item>
/// <item>a tag <c>rC</c> on commit C every 100 commits (annotated, with its own tagger time, when
/// C/100 is even; lightweight when odd), plus a lightweight <c>rN-10</c> ten commits before HEAD;</item>
/// <item>each commit changes one of 200 files (<c>src/modM/fF.cs</c>, <c>docs/</c>, <c>tests/</c>):
/// main an even-numbered one, the side branch an odd-numbered one, so merges never conflict and a
/// merge whose two sides both touched <c>src/mod3</c> differs from both parents there;</item>
/// <item>author time = base + 600 s × C, committer time 30–149 s later (never equal).</item>
/// </list>
/// </remarks>
internal static class SyntheticRepo
{
    private const int Version = 1;   // bump when the layout changes, so that an old cached repository is rebuilt
    private const long BaseTime = 1_600_000_000;
    private const int Files = 200;

    public static long AuthorTime(int c) => BaseTime + (600L * c);

    public static long CommitterTime(int c) => AuthorTime(c) + 30 + (c % 120);

    public static string PathOf(int file) => file switch
    {
        < 100 => $"src/mod{file / 10}/f{file % 10}.cs",
        < 150 => $"docs/page{file - 100}.md",
        _ => $"tests/t{file - 150}.cs",
    };

    /// <summary>Creates the repository in <paramref name="directory"/>, or reuses it when an earlier run finished it.</summary>
    public static void Ensure(string directory, int commits, bool commitGraph = false)
    {
        if (commits < 200 || commits % 100 != 0)
        {
            throw new ArgumentException("The commit count must be a multiple of 100, at least 200.", nameof(commits));
        }

        var marker = Path.Combine(directory, ".git", "gitlogbench-done");
        var expected = $"v{Version} commits={commits} commit-graph={commitGraph}";
        if (File.Exists(marker) && File.ReadAllText(marker).Trim() == expected)
        {
            return;
        }

        if (Directory.Exists(directory))
        {
            // Only ever delete what an earlier run made (an older layout, or a run cut short).
            if (!File.Exists(marker) && Directory.EnumerateFileSystemEntries(directory).Any()
                && !File.Exists(Path.Combine(directory, ".git", "gitlogbench-started")))
            {
                throw new ArgumentException($"'{directory}' exists and was not made by GitLogBench; give another --repo.");
            }

            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
        var watch = Stopwatch.StartNew();
        Git.Run(directory, "init", "-q", "-b", "main");
        File.WriteAllText(Path.Combine(directory, ".git", "gitlogbench-started"), expected + "\n");
        Git.Run(directory, stdin: writer => WriteStream(writer, commits), "fast-import", "--quiet");
        // One pack, deltas recomputed: what a clone gives (no commit-graph either, as after a plain clone).
        Git.Run(directory, "repack", "-a", "-d", "-f", "-q");
        Git.Run(directory, "reset", "-q", "--hard");
        if (commitGraph)
        {
            // What `git gc` (and so `git maintenance`) leaves on a developer's machine.
            Git.Run(directory, "commit-graph", "write", "--reachable");
        }

        File.WriteAllText(marker, expected + "\n");
        Console.Error.WriteLine($"created {directory} ({commits} commits) in {watch.Elapsed.TotalSeconds:F1} s");
    }

    private static void WriteStream(TextWriter w, int n)
    {
        var random = new Random(42);
        var blockEnd = n - 50;            // commits after this form the linear tail
        var mainHead = 0;                 // mark of main's last commit
        var sideHead = 0;                 // mark of the side branch's last commit in the current block
        var forkPoint = 0;
        var sideChanges = new Dictionary<string, string>(StringComparer.Ordinal);

        for (var c = 1; c <= n; c++)
        {
            var j = (c - 1) % 50;
            var inBlock = c <= blockEnd;
            if (c == 1)
            {
                var root = new StringBuilder();
                for (var f = 0; f < Files; f++)
                {
                    AppendFile(root, PathOf(f), $"init {f}\n");
                }

                WriteCommit(w, "refs/heads/main", c, from: 0, merge: 0, root.ToString());
                mainHead = c;
                forkPoint = c;
            }
            else if (inBlock && j == 49)
            {
                var changes = new StringBuilder();
                foreach (var (path, content) in sideChanges)
                {
                    AppendFile(changes, path, content);
                }

                WriteCommit(w, "refs/heads/main", c, from: mainHead, merge: sideHead, changes.ToString());
                mainHead = c;
                sideChanges.Clear();
            }
            else if (inBlock && j % 2 == 1)
            {
                var path = PathOf((random.Next(Files / 2) * 2) + 1);
                var content = $"side {c}\n";
                sideChanges[path] = content;
                WriteCommit(w, "refs/heads/side", c, from: j == 1 ? forkPoint : sideHead, merge: 0, FileChange(path, content));
                sideHead = c;
            }
            else
            {
                var file = inBlock ? random.Next(Files / 2) * 2 : random.Next(Files);
                WriteCommit(w, "refs/heads/main", c, from: mainHead, merge: 0, FileChange(PathOf(file), $"main {c}\n"));
                mainHead = c;
                if (inBlock && j == 0)
                {
                    forkPoint = c;
                }
            }

            if (c % 100 == 0 && c / 100 % 2 == 0)
            {
                var message = $"release r{c}\n";
                w.Write($"tag r{c}\nfrom :{c}\ntagger Rel Ease <release@example.com> {CommitterTime(c) + 3600} +0000\n");
                w.Write($"data {Encoding.UTF8.GetByteCount(message)}\n{message}\n");
            }
            else if (c % 100 == 0 || c == n - 10)
            {
                w.Write($"reset refs/tags/r{c}\nfrom :{c}\n\n");
            }
        }

        w.Write("done\n");
    }

    private static string FileChange(string path, string content) => AppendFile(new StringBuilder(), path, content).ToString();

    private static StringBuilder AppendFile(StringBuilder sb, string path, string content)
        => sb.Append(CultureInfo.InvariantCulture, $"M 100644 inline {path}\ndata {Encoding.UTF8.GetByteCount(content)}\n{content}\n");

    private static void WriteCommit(TextWriter w, string branch, int c, int from, int merge, string changes)
    {
        var message = $"commit {c}\n";
        w.Write($"commit {branch}\nmark :{c}\n");
        w.Write($"author Au Thor <author@example.com> {AuthorTime(c)} +0000\n");
        w.Write($"committer Com Mitter <committer@example.com> {CommitterTime(c)} +0000\n");
        w.Write($"data {Encoding.UTF8.GetByteCount(message)}\n{message}");
        if (from != 0)
        {
            w.Write($"from :{from}\n");
        }

        if (merge != 0)
        {
            w.Write($"merge :{merge}\n");
        }

        w.Write(changes);
        w.Write('\n');
    }
}
