using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Stride.Core.Events;

namespace Stride.Storage.Sqlite;

/// <summary>
/// Saves events on the writer connection with SPEC §2's rules for repeated pushes: one row per event
/// (a change keeps its earliest time, a deployment is replaced, an incident takes the fields a push
/// gives), plus the pushes and their commits, from which a deployment naming only its commit gets its
/// changes.
/// </summary>
/// <remarks>
/// Runs inside the writer's transaction; owns one prepared statement per SQL text, created on first
/// use and reused for every later row. The derived facts are not stored: the store's in-memory index
/// (<see cref="Memory.EventIndex"/>) works them out from the events as saved, which this writer records
/// in <see cref="Saved"/>. Not thread-safe (the writer is single-threaded).
/// </remarks>
internal sealed class SqliteEventWriter(SqliteConnection connection) : IDisposable
{
    // A cancelled request is noticed between events; checking every event would cost more than it saves.
    private const int CancellationCheckInterval = 256;

    private readonly SqliteConnection _connection = connection;
    private readonly List<SqliteStatement> _statements = [];

    // One prepared statement per SQL text, created on first use (the SQL sits in a const at its call).
    private SqliteStatement? _upsertChange;
    private SqliteStatement? _upsertDeployment;
    private SqliteStatement? _upsertIncident;
    private SqliteStatement? _upsertPush;
    private SqliteStatement? _upsertPushCommits;
    private SqliteStatement? _previousDeployedCommit;
    private SqliteStatement? _pushContaining;
    private SqliteStatement? _pushTo;
    private SqliteStatement? _deploymentsAtGap;

    /// <summary>
    /// Where the events are recorded as saved (a deployment with the changes its chain gave it), for the
    /// store's in-memory index to apply once the transaction commits; null records nothing.
    /// </summary>
    public List<(long Organization, Event Event)>? Saved { get; set; }

    /// <summary>Applies a request's events with the effect of list order (later events see earlier ones).</summary>
    /// <remarks>
    /// Changes and pushes are upserted first, then deployments and incidents in list order: the result
    /// is the same.
    /// </remarks>
    /// <returns>The number of events stored, not counting pushes (bookkeeping for commit chains, not facts a reader lists).</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled before all events were applied.</exception>
    public int Append(long organization, IReadOnlyList<Event> events, CancellationToken ct)
    {
        // Change upserts commute with everything else (a change keeps its earliest time, and the
        // copies of that time in first_deployments follow it whatever the order), so the request's
        // changes go first. Deployments then find their changes' times already stored, which is
        // also the order pipelines usually send them in. Pushes go first too, so that a deployment
        // sent with the push of its commit finds its chain.
        var pushes = 0;
        for (var i = 0; i < events.Count; i++)
        {
            if (i % CancellationCheckInterval == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            switch (events[i])
            {
                case Change change:
                    UpsertChange(organization, change);
                    break;
                case Push push:
                    UpsertPush(organization, push);
                    pushes++;
                    break;
                case Deployment or Incident:
                    break;
                default:
                    throw new ArgumentException($"Event {i} is of unknown type {events[i]?.GetType().Name ?? "null"}.", nameof(events));
            }
        }

        for (var i = 0; i < events.Count; i++)
        {
            if (i % CancellationCheckInterval == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            switch (events[i])
            {
                case Deployment deployment:
                    ApplyDeployment(organization, deployment);
                    break;
                case Incident incident:
                    ApplyIncident(organization, incident);
                    break;
            }
        }

        ct.ThrowIfCancellationRequested();
        return events.Count - pushes;
    }

    /// <summary>Upserts the changes of several requests at once (all changes commute).</summary>
    public void UpsertChanges(IEnumerable<(long Organization, IReadOnlyList<Change> Changes)> requests)
    {
        foreach (var (organization, changes) in requests)
        {
            foreach (var change in changes)
            {
                UpsertChange(organization, change);
            }
        }
    }

    public void Dispose()
    {
        foreach (var statement in _statements)
        {
            statement.Dispose();
        }

        _statements.Clear();
    }

    private void UpsertChange(long org, Change change)
    {
        // Earliest timestamp wins; the WHERE skips rewriting the row when the push is not earlier.
        // One row per execution: measured against one statement over a JSON array of rows
        // (json_each), it costs the same on 5,000-event batches and less on the small groups of
        // single-event requests.
        const string Sql = """
            INSERT INTO changes (org, system, id, ts) VALUES ($org, $system, $id, $ts)
            ON CONFLICT (org, system, id) DO UPDATE SET ts = excluded.ts WHERE excluded.ts < changes.ts
            """;

        // The store refuses what the schema would: a null system or identifier is a caller's bug.
        ArgumentNullException.ThrowIfNull(change.System);
        ArgumentNullException.ThrowIfNull(change.Identifier);
        (_upsertChange ??= Prepare(Sql, "$org", "$system", "$id", "$ts")).Execute(org, change.System, change.Identifier, change.Timestamp);
        Saved?.Add((org, change));
    }

    private void UpsertPush(long org, Push push)
    {
        // A push that created a branch (no before) does not replace one that knows where it came from:
        // a new branch pushed at an existing commit must not cut the chain that led to that commit.
        const string PushSql = """
            INSERT INTO pushes (org, system, after, before, commits) VALUES ($org, $system, $after, $before, $commits)
            ON CONFLICT (org, system, after) DO UPDATE SET before = excluded.before, commits = excluded.commits
            WHERE excluded.before IS NOT NULL OR pushes.before IS NULL
            """;

        // Likewise a commit moves to the latest push that brought it (a force-push re-pushing it),
        // unless that push only created a branch.
        const string CommitsSql = """
            INSERT INTO push_commits (org, system, sha, after)
            SELECT $org, $system, value, $after FROM json_each($commits) WHERE true
            ON CONFLICT (org, system, sha) DO UPDATE SET after = excluded.after
            WHERE $before IS NOT NULL
               OR (SELECT p.before FROM pushes p WHERE p.org = $org AND p.system = $system AND p.after = push_commits.after) IS NULL
            """;

        ArgumentNullException.ThrowIfNull(push.System);
        ArgumentNullException.ThrowIfNull(push.After);
        var before = ChainWalk.IsNoCommit(push.Before) ? null : push.Before;
        var commits = JsonSerializer.Serialize(DistinctValues.InOrder(push.Commits ?? []), StorageJson.Relaxed.ListString);
        (_upsertPush ??= Prepare(PushSql, "$org", "$system", "$after", "$before", "$commits")).Execute(org, push.System, push.After, before, commits);
        (_upsertPushCommits ??= Prepare(CommitsSql, "$org", "$system", "$after", "$before", "$commits")).Execute(org, push.System, push.After, before, commits);
        RewalkChains(org, push);
    }

    /// <summary>
    /// Walks again the chains of the system's deployments whose walk found no push of a commit this push
    /// brings (or moved the branch to), and stores them with the changes the walk now finds.
    /// </summary>
    /// <remarks>
    /// A push delivered after the deployment of its commits (a redelivered webhook, deliveries out of
    /// order) so counts as if it had come first. Each such deployment is applied again as a re-push of
    /// itself, which keeps first deployments and incident attributions right as any re-push does.
    /// </remarks>
    private void RewalkChains(long org, Push push)
    {
        const string Sql = """
            SELECT env, id, ts, result, rework, commit_sha, teams FROM deployments
            WHERE org = $org AND system = $system
              AND chain_gap IN (SELECT value FROM json_each($shas))
            """;
        var shas = JsonSerializer.Serialize(DistinctValues.InOrder([.. push.Commits ?? [], push.After]), StorageJson.Relaxed.ListString);
        var waiting = new List<Deployment>();
        using (var reader = (_deploymentsAtGap ??= Prepare(Sql, "$org", "$system", "$shas")).Query(org, push.System, shas))
        {
            while (reader.Read())
            {
                var teams = JsonSerializer.Deserialize(reader.GetString(6), StorageJson.Relaxed.ListString) ?? [];
                waiting.Add(new Deployment(
                    push.System, reader.GetString(1), reader.GetInt64(2), reader.GetString(0), (DeploymentResult)reader.GetInt64(3),
                    Changes: [], teams, reader.GetString(5), Rework: reader.GetInt64(4) != 0));
            }
        }

        foreach (var deployment in waiting)
        {
            ApplyDeployment(org, deployment);
        }
    }

    /// <summary>
    /// The changes of a deployment of <paramref name="commit"/> that lists none: every commit pushed on
    /// the chain from the system's previously deployed commit up to it (SPEC §4.4), oldest first.
    /// </summary>
    /// <remarks>
    /// The previous deployment is the latest successful one of the system in the environment before
    /// this one (by time, then identifier) that names a commit. From the deployed commit, the push that
    /// brought it gives its commits up to it; the walk then goes on from that push's <c>before</c> (the
    /// head of the push before it), and stops at the previously deployed commit, at a branch's first
    /// push, at a commit Stride saw no push of, or after <see cref="ChainWalk.MaxCommits"/> commits. With no
    /// previous deployment it takes every commit seen on the chain. A commit never pushed gets none.
    /// Commits already deployed are harmless when a walk passes its stop (a rollback): their first
    /// deployment stays the earlier one.
    /// </remarks>
    /// <returns>The changes, and the commit Stride saw no push of where the walk stopped (null when it stopped for another reason).</returns>
    private (List<string> Changes, string? Gap) ChainChanges(long org, string system, string env, string id, long ts, string commit)
    {
        const string PreviousSql = """
            SELECT commit_sha FROM deployments
            WHERE org = $org AND system = $system AND env = $env AND result = 0 AND commit_sha IS NOT NULL
              AND (ts < $ts OR (ts = $ts AND id < $id))
            ORDER BY ts DESC, id DESC
            LIMIT 1
            """;
        string? stop;
        using (var reader = (_previousDeployedCommit ??= Prepare(PreviousSql, "$org", "$system", "$env", "$ts", "$id")).Query(org, system, env, ts, id))
        {
            stop = reader.Read() ? reader.GetString(0) : null;
        }

        // The deployed commit is looked up among the commits pushes brought (its latest push); each
        // later step among the pushes' heads, since a before is the head the previous push left.
        const string ContainingSql = """
            SELECT after, before, commits FROM pushes
            WHERE org = $org AND system = $system AND after = coalesce(
                (SELECT c.after FROM push_commits c WHERE c.org = $org AND c.system = $system AND c.sha = $sha),
                $sha)
            """;
        const string ToSql = """
            SELECT after, before, commits FROM pushes
            WHERE org = $org AND system = $system AND after = CASE
                WHEN EXISTS (SELECT 1 FROM pushes p WHERE p.org = $org AND p.system = $system AND p.after = $sha) THEN $sha
                ELSE (SELECT c.after FROM push_commits c WHERE c.org = $org AND c.system = $system AND c.sha = $sha) END
            """;

        var walk = new ChainWalk(commit, stop);
        while (walk.Next is { } sha)
        {
            var statement = walk.First
                ? _pushContaining ??= Prepare(ContainingSql, "$org", "$system", "$sha")
                : _pushTo ??= Prepare(ToSql, "$org", "$system", "$sha");
            using var reader = statement.Query(org, system, sha);
            walk.Take(reader.Read()
                ? new PushLink(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                    JsonSerializer.Deserialize(reader.GetString(2), StorageJson.Relaxed.ListString) ?? [])
                : null);
        }

        return (walk.Changes, walk.Gap);
    }

    private void ApplyDeployment(long org, Deployment deployment)
    {
        var changes = DistinctValues.InOrder(deployment.Changes ?? []);
        string? gap = null;
        if (changes.Count == 0 && !string.IsNullOrEmpty(deployment.Commit))
        {
            // A deployment that names only its head commit (provider webhooks, DevLake, native with
            // `commit`) takes its changes from the push chain and is then stored as if it had listed
            // them, so re-pushes and first deployments work unchanged. Where the walk found no push is
            // kept, for a push that arrives later (see RewalkChains).
            (changes, gap) = ChainChanges(org, deployment.System, deployment.Environment, deployment.Identifier, deployment.Timestamp, deployment.Commit);
        }

        // A push replaces the stored deployment whole.
        const string Sql = """
            INSERT INTO deployments (org, system, env, id, ts, result, rework, commit_sha, teams, changes, chain_gap)
            VALUES ($org, $system, $env, $id, $ts, $result, $rework, $commit, $teams, $changes, $gap)
            ON CONFLICT (org, system, env, id) DO UPDATE SET
                ts = excluded.ts, result = excluded.result, rework = excluded.rework, commit_sha = excluded.commit_sha,
                teams = excluded.teams, changes = excluded.changes, chain_gap = excluded.chain_gap
            """;
        (_upsertDeployment ??= Prepare(Sql, "$org", "$system", "$env", "$id", "$ts", "$result", "$rework", "$commit", "$teams", "$changes", "$gap"))
            .Execute(
                org, deployment.System, deployment.Environment, deployment.Identifier, deployment.Timestamp, (long)deployment.Result,
                deployment.Rework ? 1L : 0L, deployment.Commit,
                JsonSerializer.Serialize(deployment.Teams ?? [], StorageJson.Relaxed.IReadOnlyListString),
                JsonSerializer.Serialize(changes, StorageJson.Relaxed.ListString), gap);
        Saved?.Add((org, deployment with { Changes = changes }));
    }

    private void ApplyIncident(long org, Incident incident)
    {
        // A push replaces the creation time, and the resolution and named deployment only when given.
        const string Sql = """
            INSERT INTO incidents (org, system, id, created, resolved, deployment)
            VALUES ($org, $system, $id, $created, $resolved, $deployment)
            ON CONFLICT (org, system, id) DO UPDATE SET
                created = excluded.created,
                resolved = coalesce(excluded.resolved, incidents.resolved),
                deployment = coalesce(excluded.deployment, incidents.deployment)
            """;
        (_upsertIncident ??= Prepare(Sql, "$org", "$system", "$id", "$created", "$resolved", "$deployment"))
            .Execute(org, incident.System, incident.Identifier, incident.TimestampCreated, incident.TimestampResolved, incident.Deployment);
        Saved?.Add((org, incident));
    }

    private SqliteStatement Prepare(string sql, params string[] parameterNames)
    {
        var statement = new SqliteStatement(_connection, sql, parameterNames);
        _statements.Add(statement);
        return statement;
    }
}

/// <summary>Source-generated JSON for the lists stored as JSON text and handed to SQLite's json_each.</summary>
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class StorageJson : JsonSerializerContext
{
    /// <summary>
    /// Non-ASCII text is written as is rather than as <c>\u</c> escapes: shorter, and what SQLite's JSON
    /// functions read back unchanged. (JSON's own escapes, quotes and control characters, still apply.)
    /// </summary>
    public static StorageJson Relaxed { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
