namespace Stride.Storage;

/// <summary>A push as a chain walk sees it: the head it moved the branch to, where from (null: unknown, or a new branch), its commits oldest first.</summary>
internal sealed record PushLink(string After, string? Before, IReadOnlyList<string> Commits);

/// <summary>
/// The walk back along the pushes from a deployed commit that gives a deployment without changes its
/// changes (SPEC §4.4), without the lookups: each store asks for <see cref="Next"/>'s push and hands it
/// to <see cref="Take"/> until <see cref="Next"/> is null, in its own way (SQLite synchronously,
/// PostgreSQL asynchronously).
/// </summary>
/// <remarks>
/// The first lookup is of the deployed commit among the commits pushes brought (<see cref="First"/>);
/// each later one is of a push's <c>before</c> among the pushes' heads. The walk stops at the previously
/// deployed commit, at a branch's first push, at a commit Stride saw no push of (the <see cref="Gap"/>,
/// walked again when such a push arrives), at a loop (a force-push back to an old head), or after
/// <see cref="MaxCommits"/> commits.
/// </remarks>
internal sealed class ChainWalk
{
    /// <summary>Bounds the commits one deployment takes (one request must not turn into an unbounded read).</summary>
    public const int MaxCommits = 10_000;

    private readonly string? _stop;
    private readonly List<string> _found = [];
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);
    private readonly HashSet<string> _visited = new(StringComparer.Ordinal);

    /// <param name="commit">The deployed commit.</param>
    /// <param name="stop">The commit of the previous successful deployment, where the walk ends; null when there is none.</param>
    public ChainWalk(string commit, string? stop)
    {
        _stop = stop;
        Next = commit != stop && !IsNoCommit(commit) ? commit : null;
    }

    /// <summary>The commit whose push is to be looked up next; null once the walk has ended.</summary>
    public string? Next { get; private set; }

    /// <summary>Whether <see cref="Next"/> is the deployed commit itself (looked up among the commits pushes brought).</summary>
    public bool First { get; private set; } = true;

    /// <summary>The commit Stride saw no push of where the walk stopped, or null when it stopped for another reason.</summary>
    public string? Gap { get; private set; }

    /// <summary>The changes found, oldest first (once the walk has ended).</summary>
    public List<string> Changes => [.. Enumerable.Reverse(_found)];

    /// <summary>Whether a commit reference names no commit: absent, or Git's all-zeros id (a branch created or deleted).</summary>
    public static bool IsNoCommit(string? sha) => string.IsNullOrEmpty(sha) || sha.All(c => c == '0');

    /// <summary>Takes the push found for <see cref="Next"/> (null: none) and moves on.</summary>
    public void Take(PushLink? push)
    {
        var current = Next ?? throw new InvalidOperationException("The walk has ended.");
        First = false;
        Next = null;
        if (push is null)
        {
            Gap = current;
            return;
        }

        if (!_visited.Add(push.After))
        {
            return;
        }

        // The push's commits up to the current one; all of them when it is the push's head but not among
        // its commits (a head the payload left out).
        var commits = push.Commits;
        var end = LastIndexOf(commits, current);
        if (end < 0)
        {
            end = commits.Count - 1;
        }

        for (var i = end; i >= 0 && _found.Count < MaxCommits; i--)
        {
            if (commits[i] == _stop)
            {
                return;
            }

            if (_taken.Add(commits[i]))
            {
                _found.Add(commits[i]);
            }
        }

        if (push.Before is { } before && before != _stop && !IsNoCommit(before) && _found.Count < MaxCommits)
        {
            Next = before;
        }
    }

    private static int LastIndexOf(IReadOnlyList<string> commits, string sha)
    {
        for (var i = commits.Count - 1; i >= 0; i--)
        {
            if (commits[i] == sha)
            {
                return i;
            }
        }

        return -1;
    }
}
