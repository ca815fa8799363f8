using System.Diagnostics;
using System.Globalization;
using GitLogBench;

// GitLogBench: lists the commits of a range (SHA + author time) and tags (name, commit, time) with
// the git executable and with LibGit2Sharp, and times both. See README.md.
//
//   GitLogBench [--commits N] [--runs R] [--repo DIR] [--commit-graph]
//                                                           the timing table (Markdown on stdout)
//   GitLogBench --create [--commits N] [--repo DIR] [--commit-graph]
//                                                           only create the repository; prints its path
//   GitLogBench --once WAY --repo DIR RANGE [-- PATH...]    one listing in a fresh process, for hyperfine
//   GitLogBench --once WAY --repo DIR --tags GLOB           (WAY: git, libgit2, libgit2-treesame, none)
//   GitLogBench --robustness [--work DIR]                   shallow, SHA-256, worktree, partial clone...
try
{
    return await Cli.MainAsync(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

namespace GitLogBench
{
    internal static class Cli
    {
        public static async Task<int> MainAsync(string[] args)
        {
            var options = Options.Parse(args);
            if (options.Once is { } way)
            {
                return await OnceAsync(way, options);
            }

            if (options.Robustness)
            {
                Robustness.Run(options.Work ?? Path.Combine(Path.GetTempPath(), "gitlogbench", "robustness"));
                return 0;
            }

            var repo = options.Repo ?? DefaultRepo(options.Commits, options.CommitGraph);
            SyntheticRepo.Ensure(repo, options.Commits, options.CommitGraph);
            if (options.CreateOnly)
            {
                Console.WriteLine(repo);
                return 0;
            }

            await Timing.RunAsync(repo, options.Commits, options.Runs);
            return 0;
        }

        public static string DefaultRepo(int commits, bool commitGraph)
            => Path.Combine(Path.GetTempPath(), "gitlogbench", commitGraph ? $"repo-{commits}-graph" : $"repo-{commits}");

        /// <summary>One listing, as one CLI run does it: the process's only call.</summary>
        private static async Task<int> OnceAsync(string way, Options options)
        {
            var repo = options.Repo ?? throw new ArgumentException("--once needs --repo DIR.");
            int count;
            if (way == "none")
            {
                count = 0;
            }
            else if (options.TagGlob is { } glob)
            {
                count = way == "git" ? (await GitCli.TagsAsync(repo, glob)).Count : LibGit2.Tags(repo, glob).Count;
            }
            else
            {
                var range = options.Range ?? throw new ArgumentException("--once needs a RANGE (A..B or B) or --tags GLOB.");
                var dots = range.IndexOf("..", StringComparison.Ordinal);
                var (from, to) = dots < 0 ? (null, range) : (range[..dots], range[(dots + 2)..]);
                count = way switch
                {
                    "git" => (await GitCli.LogAsync(repo, from, to, options.Paths)).Count,
                    "libgit2" => LibGit2.Log(repo, from, to, options.Paths, PathMode.QueryByPath).Count,
                    "libgit2-treesame" => LibGit2.Log(repo, from, to, options.Paths, PathMode.TreeSame).Count,
                    _ => throw new ArgumentException($"Unknown way '{way}' (git, libgit2, libgit2-treesame, none)."),
                };
            }

            Console.WriteLine(count.ToString(CultureInfo.InvariantCulture));
            return 0;
        }
    }

    internal sealed class Options
    {
        public int Commits { get; private set; } = 20_000;
        public int Runs { get; private set; } = 9;
        public string? Repo { get; private set; }
        public string? Work { get; private set; }
        public bool CreateOnly { get; private set; }
        public bool CommitGraph { get; private set; }
        public bool Robustness { get; private set; }
        public string? Once { get; private set; }
        public string? Range { get; private set; }
        public string? TagGlob { get; private set; }
        public List<string> Paths { get; } = [];

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--commits": o.Commits = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--runs": o.Runs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--repo": o.Repo = Path.GetFullPath(Next()); break;
                    case "--work": o.Work = Path.GetFullPath(Next()); break;
                    case "--create": o.CreateOnly = true; break;
                    case "--commit-graph": o.CommitGraph = true; break;
                    case "--robustness": o.Robustness = true; break;
                    case "--once": o.Once = Next(); break;
                    case "--tags": o.TagGlob = Next(); break;
                    case "--": o.Paths.AddRange(args[(i + 1)..]); i = args.Length; break;
                    case var a when !a.StartsWith("--", StringComparison.Ordinal) && o.Range is null: o.Range = a; break;
                    default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
                }
            }

            if (o.Commits < 1_100 || o.Commits % 100 != 0)
            {
                throw new ArgumentException("--commits must be a multiple of 100, at least 1100.");
            }

            if (o.Runs < 1)
            {
                throw new ArgumentException("--runs must be at least 1.");
            }

            return o;
        }
    }

    /// <summary>The in-process timings: each listing's first call, then the median of the repeated calls.</summary>
    internal static class Timing
    {
        private sealed record Way(string Name, Func<Task<IReadOnlyCollection<object>>> Call);

        private sealed record Scenario(string Name, Way[] Ways);

        public static async Task RunAsync(string repo, int n, int runs)
        {
            string[] path = ["src/mod3"];
            var scenarios = new List<Scenario>
            {
                Range($"`r{n - 10}..HEAD`", repo, $"r{n - 10}", []),
                Range($"`r{n - 1000}..HEAD`", repo, $"r{n - 1000}", []),
                Range("`HEAD` (all)", repo, null, []),
                Range($"`r{n - 1000}..HEAD -- src/mod3`", repo, $"r{n - 1000}", path),
                Range("`HEAD -- src/mod3` (all)", repo, null, path),
                new("tags `r*`",
                [
                    new("git", async () => (await GitCli.TagsAsync(repo, "r*")).Cast<object>().ToList()),
                    new("LibGit2Sharp", () => Task.FromResult<IReadOnlyCollection<object>>(LibGit2.Tags(repo, "r*").Cast<object>().ToList())),
                ]),
            };

            var graph = File.Exists(Path.Combine(repo, ".git", "objects", "info", "commit-graph")) ? "with" : "no";
            Console.WriteLine($"Repository: {repo} ({n} commits, one pack, {graph} commit-graph), {runs} timed calls per cell after the first; "
                + $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, {Git.Run(repo, "version").Trim()}, "
                + $"LibGit2Sharp {typeof(LibGit2Sharp.Repository).Assembly.GetName().Version} (libgit2 {LibGit2Sharp.GlobalSettings.Version.LibGit2CommitSha}).");
            Console.WriteLine();
            Console.WriteLine("| listing | way | rows | first call (ms) | median (ms) | min–max (ms) | same rows as git |");
            Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | --- |");
            foreach (var scenario in scenarios)
            {
                var first = new double[scenario.Ways.Length];
                var results = new IReadOnlyCollection<object>[scenario.Ways.Length];
                for (var w = 0; w < scenario.Ways.Length; w++)
                {
                    (first[w], results[w]) = await TimeAsync(scenario.Ways[w].Call);
                }

                // Interleaved, so that a noisy neighbour hits every way alike.
                var samples = scenario.Ways.Select(_ => new List<double>()).ToArray();
                for (var r = 0; r < runs; r++)
                {
                    for (var w = 0; w < scenario.Ways.Length; w++)
                    {
                        samples[w].Add((await TimeAsync(scenario.Ways[w].Call)).Ms);
                    }
                }

                for (var w = 0; w < scenario.Ways.Length; w++)
                {
                    var sorted = samples[w].Order().ToList();
                    var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
                    var agreement = w == 0 ? "—" : Compare(repo, results[0], results[w]);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {scenario.Name} | {scenario.Ways[w].Name} | {results[w].Count} | {first[w]:F1} | **{median:F1}** | {sorted[0]:F1}–{sorted[^1]:F1} | {agreement} |"));
                }
            }
        }

        private static Scenario Range(string name, string repo, string? from, string[] paths)
        {
            var ways = new List<Way>
            {
                new("git", async () => await GitCli.LogAsync(repo, from, "HEAD", paths)),
                new(paths.Length == 0 ? "LibGit2Sharp" : "LibGit2Sharp `QueryBy(path, filter)`",
                    () => Task.FromResult<IReadOnlyCollection<object>>(LibGit2.Log(repo, from, "HEAD", paths, PathMode.QueryByPath))),
            };
            if (paths.Length > 0)
            {
                ways.Add(new("LibGit2Sharp walk + tree compare by hand",
                    () => Task.FromResult<IReadOnlyCollection<object>>(LibGit2.Log(repo, from, "HEAD", paths, PathMode.TreeSame))));
            }

            return new(name, [.. ways]);
        }

        private static async Task<(double Ms, IReadOnlyCollection<object> Result)> TimeAsync(Func<Task<IReadOnlyCollection<object>>> call)
        {
            var start = Stopwatch.GetTimestamp();
            var result = await call();
            return (Stopwatch.GetElapsedTime(start).TotalMilliseconds, result);
        }

        /// <summary>"yes", or what differs from git's rows (and how many of those are merge commits).</summary>
        private static string Compare(string repo, IReadOnlyCollection<object> git, IReadOnlyCollection<object> other)
        {
            var missing = git.Except(other).ToList();
            var extra = other.Except(git).ToList();
            if (missing.Count == 0 && extra.Count == 0)
            {
                return "yes";
            }

            using var r = LibGit2.Open(repo);
            string Describe(List<object> rows)
            {
                var merges = rows.OfType<CommitRow>().Count(c => ((LibGit2Sharp.Commit)r.Lookup(c.Sha)!).Parents.Count() > 1);
                return rows.Count == merges ? $"{rows.Count}, all merges" : $"{rows.Count}, {merges} of them merges";
            }

            var parts = new List<string>();
            if (missing.Count > 0)
            {
                parts.Add($"lacks {Describe(missing)}");
            }

            if (extra.Count > 0)
            {
                parts.Add($"adds {Describe(extra)}");
            }

            return "**no**: " + string.Join("; ", parts);
        }
    }
}
