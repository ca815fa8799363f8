using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Stride.Core.Events;

namespace Stride.Storage.Sqlite;

/// <summary>
/// Applies events to the writer connection with SPEC §2's rules, keeping the derived tables
/// (<c>first_deployments</c>, <c>incident_attributions</c>) right after every event.
/// </summary>
/// <remarks>
/// Runs inside the writer's transaction; owns one prepared statement per SQL text, created on first
/// use and reused for every later row. Each event only touches its neighbourhood: a deployment the
/// changes its old and new versions list and the incidents of its system whose attribution it can
/// change; an incident only itself; a change only the copies of its time. Not thread-safe (the
/// writer is single-threaded).
/// </remarks>
internal sealed class SqliteEventWriter(SqliteConnection connection) : IDisposable
{
    // A cancelled request is noticed between events; checking every event would cost more than it saves.
    private const int CancellationCheckInterval = 256;

    private readonly SqliteConnection _connection = connection;
    private readonly List<SqliteStatement> _statements = [];

    // (org, system, env) rows known to be in system_environments, to skip re-inserting them for every
    // deployment. Cleared on rollback (a rolled-back insert must not be remembered).
    private readonly HashSet<(long Org, string System, string Env)> _knownSystemEnvironments = [];

    // An upper bound of each system's incident creation times, to skip looking for incidents a new
    // deployment could take when there can be none. Only ever raised, so a rollback or a re-push that
    // moves an incident earlier leaves a bound that is merely loose. (This writer is the database's
    // only writer: the store is meant to be the one open on its file.)
    private readonly Dictionary<(long Org, string System), long> _latestIncidentCreated = [];

    // Per system, the deployment identifiers its incidents name (loaded on first use, then only
    // added to): a new deployment looks for incidents naming it only when one may. A superset is
    // harmless (a lookup that finds nothing), so rollbacks need not shrink it.
    private readonly Dictionary<(long Org, string System), HashSet<string>> _namedDeployments = [];

    // One prepared statement per SQL text, created on first use (the SQL sits in a const at its call).
    private SqliteStatement? _upsertChange;
    private SqliteStatement? _insertDeployment;
    private SqliteStatement? _findDeployment;
    private SqliteStatement? _updateDeployment;
    private SqliteStatement? _deleteDeploymentChange;
    private SqliteStatement? _insertDeploymentChange;
    private SqliteStatement? _insertDeploymentChanges;
    private SqliteStatement? _improveFirstDeployments;
    private SqliteStatement? _forgetFirstDeployment;
    private SqliteStatement? _improveFirstDeployment;
    private SqliteStatement? _recomputeFirstDeployment;
    private SqliteStatement? _insertSystemEnvironment;
    private SqliteStatement? _incidentsNaming;
    private SqliteStatement? _incidentsInSpan;
    private SqliteStatement? _latestIncidentCreatedQuery;
    private SqliteStatement? _insertIncident;
    private SqliteStatement? _updateIncident;
    private SqliteStatement? _namedDeploymentsQuery;
    private SqliteStatement? _widenIncidentSpan;
    private SqliteStatement? _forgetAttribution;
    private SqliteStatement? _attribute;
    private SqliteStatement? _releaseAttributed;
    private SqliteStatement? _chargeAttributed;
    private SqliteStatement? _upsertPush;
    private SqliteStatement? _upsertPushCommits;
    private SqliteStatement? _previousDeployedCommit;
    private SqliteStatement? _pushContaining;
    private SqliteStatement? _pushTo;
    private SqliteStatement? _deploymentsAtGap;

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

    /// <summary>Forgets what the writer remembers of the database, after a rollback undid some of it.</summary>
    public void OnRollback() => _knownSystemEnvironments.Clear();

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
        // Triggers (0004) copy a new or earlier time into first_deployments.changed_at, where lead
        // times are read. One row per execution: measured against one statement over a JSON array
        // of rows (json_each), it costs the same on 5,000-event batches and less on the small
        // groups of single-event requests.
        const string Sql = """
            INSERT INTO changes (org, system, id, ts) VALUES ($org, $system, $id, $ts)
            ON CONFLICT (org, system, id) DO UPDATE SET ts = excluded.ts WHERE excluded.ts < changes.ts
            """;

        // The store refuses what the schema would: a null system or identifier is a caller's bug.
        ArgumentNullException.ThrowIfNull(change.System);
        ArgumentNullException.ThrowIfNull(change.Identifier);
        (_upsertChange ??= Prepare(Sql, "$org", "$system", "$id", "$ts")).Execute(org, change.System, change.Identifier, change.Timestamp);
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
        var commits = JsonSerializer.Serialize(DistinctInOrder(push.Commits ?? []), StorageJson.Relaxed.ListString);
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
        var shas = JsonSerializer.Serialize(DistinctInOrder([.. push.Commits ?? [], push.After]), StorageJson.Relaxed.ListString);
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
        var system = deployment.System;
        var env = deployment.Environment;
        var id = deployment.Identifier;
        var ok = deployment.Result == DeploymentResult.Success;
        var changes = DistinctInOrder(deployment.Changes ?? []);
        string? gap = null;
        if (changes.Count == 0 && !string.IsNullOrEmpty(deployment.Commit))
        {
            // A deployment that names only its head commit (provider webhooks, DevLake, native with
            // `commit`) takes its changes from the push chain and is then stored as if it had listed
            // them, so re-pushes and first-deployment upkeep work unchanged. Where the walk found no
            // push is kept, for a push that arrives later (see RewalkChains).
            (changes, gap) = ChainChanges(org, system, env, id, deployment.Timestamp, deployment.Commit);
        }

        var changesJson = JsonSerializer.Serialize(changes, StorageJson.Relaxed.ListString);
        var values = new object?[]
        {
            org, system, env, id, deployment.Timestamp, (long)deployment.Result, deployment.Rework ? 1L : 0L, deployment.Commit,
            JsonSerializer.Serialize(deployment.Teams ?? [], StorageJson.Relaxed.IReadOnlyListString), changesJson, gap,
        };

        // The common case is a new deployment: one statement tells whether it is (and, without the
        // cost of a RETURNING clause, SQLite knows the new row's key).
        const string InsertSql = """
            INSERT INTO deployments (org, system, env, id, ts, result, rework, commit_sha, teams, changes, chain_gap)
            VALUES ($org, $system, $env, $id, $ts, $result, $rework, $commit, $teams, $changes, $gap)
            ON CONFLICT (org, system, env, id) DO NOTHING
            """;
        var inserted = (_insertDeployment ??= Prepare(InsertSql, "$org", "$system", "$env", "$id", "$ts", "$result", "$rework", "$commit", "$teams", "$changes", "$gap"))
            .Execute(values);

        long pk;
        StoredDeployment? previous = null;
        if (inserted == 1)
        {
            pk = raw.sqlite3_last_insert_rowid(_connection.Handle);
        }
        else
        {
            previous = FindDeployment(org, system, env, id);
            pk = previous.Pk;
            const string UpdateSql = """
                UPDATE deployments
                SET ts = $ts, result = $result, rework = $rework, commit_sha = $commit, teams = $teams, changes = $changes, chain_gap = $gap
                WHERE pk = $pk
                """;
            (_updateDeployment ??= Prepare(UpdateSql, "$ts", "$result", "$rework", "$commit", "$teams", "$changes", "$gap", "$pk"))
                .Execute(values[4], values[5], values[6], values[7], values[8], values[9], values[10], pk);
        }

        if (previous is null)
        {
            AddNewDeploymentChanges(org, system, env, id, pk, deployment.Timestamp, ok, changes, changesJson);
        }
        else
        {
            UpdateDeploymentChanges(org, system, pk, previous.Changes, changes);
            UpdateFirstDeployments(org, system, env, id, pk, deployment.Timestamp, ok, previous, changes);
        }

        var wasOk = previous is { Result: DeploymentResult.Success };
        if (ok && !_knownSystemEnvironments.Contains((org, system, env)))
        {
            // Incidents are attributed per environment in which their system has deployed.
            const string EnvironmentSql = "INSERT OR IGNORE INTO system_environments (org, system, env) VALUES ($org, $system, $env)";
            (_insertSystemEnvironment ??= Prepare(EnvironmentSql, "$org", "$system", "$env")).Execute(org, system, env);
            _knownSystemEnvironments.Add((org, system, env));
        }

        if (ok || wasOk)
        {
            ReattributeAround(org, system, env, id, pk, wasOk ? previous!.Timestamp : null, ok ? deployment.Timestamp : null);
        }
    }

    private StoredDeployment FindDeployment(long org, string system, string env, string id)
    {
        const string Sql = "SELECT pk, ts, result, changes FROM deployments WHERE org = $org AND system = $system AND env = $env AND id = $id";
        using var reader = (_findDeployment ??= Prepare(Sql, "$org", "$system", "$env", "$id")).Query(org, system, env, id);
        if (!reader.Read())
        {
            throw new InvalidOperationException($"Deployment {id} of {system} in {env} vanished during its own update.");
        }

        var changes = JsonSerializer.Deserialize(reader.GetString(3), StorageJson.Relaxed.ListString) ?? [];
        return new StoredDeployment(reader.GetInt64(0), reader.GetInt64(1), (DeploymentResult)reader.GetInt64(2), changes);
    }

    /// <summary>Lists a new deployment's changes and, when it succeeded, offers it as their first deployment.</summary>
    private void AddNewDeploymentChanges(
        long org, string system, string env, string id, long pk, long ts, bool ok, List<string> changes, string changesJson)
    {
        if (changes.Count == 0)
        {
            return;
        }

        // Set-based over the JSON list: one statement per deployment, not per change.
        const string ListSql = """
            INSERT OR IGNORE INTO deployment_changes (org, system, change, dep)
            SELECT $org, $system, value, $dep FROM json_each($changes)
            """;
        (_insertDeploymentChanges ??= Prepare(ListSql, "$org", "$system", "$dep", "$changes")).Execute(org, system, pk, changesJson);
        if (!ok)
        {
            return;
        }

        // As Improve, for every listed change at once.
        const string ImproveSql = """
            INSERT INTO first_deployments (org, system, change, env, dep, deployed_at, changed_at)
            SELECT $org, $system, j.value, $env, $dep, $ts, c.ts
            FROM json_each($changes) j
            LEFT JOIN changes c ON c.org = $org AND c.system = $system AND c.id = j.value
            WHERE true
            ON CONFLICT (org, system, change, env) DO UPDATE SET dep = excluded.dep, deployed_at = excluded.deployed_at
            WHERE excluded.deployed_at < first_deployments.deployed_at
               OR (excluded.deployed_at = first_deployments.deployed_at
                   AND $id < (SELECT d.id FROM deployments d WHERE d.pk = first_deployments.dep))
            """;
        (_improveFirstDeployments ??= Prepare(ImproveSql, "$org", "$system", "$env", "$dep", "$ts", "$id", "$changes"))
            .Execute(org, system, env, pk, ts, id, changesJson);
    }

    private void UpdateDeploymentChanges(long org, string system, long pk, List<string> oldChanges, List<string> newChanges)
    {
        const string DeleteSql = "DELETE FROM deployment_changes WHERE org = $org AND system = $system AND change = $change AND dep = $dep";
        const string InsertSql = "INSERT OR IGNORE INTO deployment_changes (org, system, change, dep) VALUES ($org, $system, $change, $dep)";
        if (oldChanges.Count > 0)
        {
            var kept = newChanges.ToHashSet(StringComparer.Ordinal);
            var delete = _deleteDeploymentChange ??= Prepare(DeleteSql, "$org", "$system", "$change", "$dep");
            foreach (var change in oldChanges.Where(c => !kept.Contains(c)))
            {
                delete.Execute(org, system, change, pk);
            }
        }

        var insert = _insertDeploymentChange ??= Prepare(InsertSql, "$org", "$system", "$change", "$dep");
        var old = oldChanges.ToHashSet(StringComparer.Ordinal);
        foreach (var change in newChanges.Where(c => !old.Contains(c)))
        {
            insert.Execute(org, system, change, pk);
        }
    }

    /// <summary>Keeps each listed change's first successful deployment in this environment right.</summary>
    /// <remarks>
    /// Only changes the old or the new version lists can be affected. Where this deployment was a
    /// change's first and may no longer be (removed from the list, failed, moved in time), the first is
    /// recomputed from the deployments that list the change; elsewhere a successful version can only
    /// improve on the stored first.
    /// </remarks>
    private void UpdateFirstDeployments(
        long org, string system, string env, string id, long pk, long ts, bool ok, StoredDeployment previous, List<string> changes)
    {
        const string ForgetSql = """
            DELETE FROM first_deployments
            WHERE org = $org AND system = $system AND env = $env AND change = $change AND dep = $dep
            """;
        var listed = changes.ToHashSet(StringComparer.Ordinal);
        var wasOk = previous.Result == DeploymentResult.Success;
        var forget = _forgetFirstDeployment ??= Prepare(ForgetSql, "$org", "$system", "$env", "$change", "$dep");
        foreach (var change in previous.Changes.Union(changes, StringComparer.Ordinal))
        {
            var wasFirst = wasOk && forget.Execute(org, system, env, change, pk) > 0;
            if (wasFirst)
            {
                Recompute(org, system, env, change);
            }
            else if (ok && listed.Contains(change))
            {
                Improve(org, system, env, change, pk, ts, id);
            }
        }
    }

    private void Improve(long org, string system, string env, string change, long pk, long ts, string id)
    {
        // The earlier deployment wins; on equal timestamps the smaller identifier, so the result does
        // not depend on arrival order.
        const string Sql = """
            INSERT INTO first_deployments (org, system, change, env, dep, deployed_at, changed_at)
            VALUES ($org, $system, $change, $env, $dep, $ts,
                    (SELECT c.ts FROM changes c WHERE c.org = $org AND c.system = $system AND c.id = $change))
            ON CONFLICT (org, system, change, env) DO UPDATE SET dep = excluded.dep, deployed_at = excluded.deployed_at
            WHERE excluded.deployed_at < first_deployments.deployed_at
               OR (excluded.deployed_at = first_deployments.deployed_at
                   AND $id < (SELECT d.id FROM deployments d WHERE d.pk = first_deployments.dep))
            """;
        (_improveFirstDeployment ??= Prepare(Sql, "$org", "$system", "$env", "$change", "$dep", "$ts", "$id")).Execute(org, system, env, change, pk, ts, id);
    }

    private void Recompute(long org, string system, string env, string change)
    {
        // Called after the stored row was deleted: none is inserted when no successful deployment in
        // the environment lists the change any more.
        const string Sql = """
            INSERT INTO first_deployments (org, system, change, env, dep, deployed_at, changed_at)
            SELECT dc.org, dc.system, dc.change, d.env, d.pk, d.ts,
                   (SELECT c.ts FROM changes c WHERE c.org = dc.org AND c.system = dc.system AND c.id = dc.change)
            FROM deployment_changes dc
            JOIN deployments d ON d.pk = dc.dep
            WHERE dc.org = $org AND dc.system = $system AND dc.change = $change AND d.env = $env AND d.result = 0
            ORDER BY d.ts, d.id
            LIMIT 1
            """;
        (_recomputeFirstDeployment ??= Prepare(Sql, "$org", "$system", "$env", "$change")).Execute(org, system, env, change);
    }

    /// <summary>Re-attributes, in one environment, the incidents a deployment's change can affect.</summary>
    /// <param name="oldTs">The timestamp of the stored version when it was successful, else null.</param>
    /// <param name="newTs">The timestamp of the new version when it is successful, else null.</param>
    /// <remarks>
    /// An incident's attribution can involve this deployment only when it names it, or when it was
    /// created at or after a successful version's timestamp and before the next successful deployment
    /// of the system in the environment (by timestamp, then identifier): after that one, the later one
    /// wins. So the affected incidents are those naming it plus, for the old and the new version, the
    /// incidents created in that span.
    /// </remarks>
    private void ReattributeAround(long org, string system, string env, string id, long pk, long? oldTs, long? newTs)
    {
        var affected = new HashSet<string>(StringComparer.Ordinal);
        if (NamedDeployments(org, system).Contains(id))
        {
            const string NamingSql = "SELECT id FROM incidents WHERE org = $org AND system = $system AND deployment = $id";
            using var reader = (_incidentsNaming ??= Prepare(NamingSql, "$org", "$system", "$id")).Query(org, system, id);
            while (reader.Read())
            {
                affected.Add(reader.GetString(0));
            }
        }

        // Deployments mostly arrive after the incidents they could take: skip the range query then.
        var latestCreated = LatestIncidentCreated(org, system);
        foreach (var ts in new[] { oldTs, newTs })
        {
            if (ts is { } from && from <= latestCreated)
            {
                const string SpanSql = """
                    SELECT id FROM incidents
                    WHERE org = $org AND system = $system AND created >= $from
                      AND created < coalesce((
                          SELECT n.ts FROM deployments n
                          WHERE n.org = $org AND n.system = $system AND n.env = $env AND n.result = 0 AND n.pk <> $pk
                            AND n.ts >= $from AND (n.ts > $from OR n.id > $id)
                          ORDER BY n.ts LIMIT 1), 9223372036854775807)
                    """;
                using var reader = (_incidentsInSpan ??= Prepare(SpanSql, "$org", "$system", "$env", "$id", "$pk", "$from"))
                    .Query(org, system, env, id, pk, from);
                while (reader.Read())
                {
                    affected.Add(reader.GetString(0));
                }
            }
        }

        foreach (var incident in affected)
        {
            Reattribute(org, system, incident, env);
        }
    }

    /// <summary>A superset of the deployment identifiers the system's incidents name.</summary>
    private HashSet<string> NamedDeployments(long org, string system)
    {
        if (!_namedDeployments.TryGetValue((org, system), out var names))
        {
            const string Sql = "SELECT DISTINCT deployment FROM incidents WHERE org = $org AND system = $system AND deployment IS NOT NULL";
            names = new HashSet<string>(StringComparer.Ordinal);
            using (var reader = (_namedDeploymentsQuery ??= Prepare(Sql, "$org", "$system")).Query(org, system))
            {
                while (reader.Read())
                {
                    names.Add(reader.GetString(0));
                }
            }

            _namedDeployments[(org, system)] = names;
        }

        return names;
    }

    /// <summary>An upper bound of the creation times of a system's incidents (long.MinValue when it has none).</summary>
    private long LatestIncidentCreated(long org, string system)
    {
        if (!_latestIncidentCreated.TryGetValue((org, system), out var latest))
        {
            const string Sql = "SELECT coalesce(max(created), -9223372036854775808) FROM incidents WHERE org = $org AND system = $system";
            using (var reader = (_latestIncidentCreatedQuery ??= Prepare(Sql, "$org", "$system")).Query(org, system))
            {
                reader.Read();
                latest = reader.GetInt64(0);
            }

            _latestIncidentCreated[(org, system)] = latest;
        }

        return latest;
    }

    private void ApplyIncident(long org, Incident incident)
    {
        // Most pushes are of new incidents: inserting first tells so, and a new incident has no
        // attribution to undo.
        const string InsertSql = """
            INSERT INTO incidents (org, system, id, created, resolved, deployment)
            VALUES ($org, $system, $id, $created, $resolved, $deployment)
            ON CONFLICT (org, system, id) DO NOTHING
            """;
        var isNew = (_insertIncident ??= Prepare(InsertSql, "$org", "$system", "$id", "$created", "$resolved", "$deployment"))
            .Execute(org, incident.System, incident.Identifier, incident.TimestampCreated, incident.TimestampResolved, incident.Deployment) == 1;
        long created = incident.TimestampCreated;
        long? resolved = incident.TimestampResolved;
        var named = incident.Deployment;
        if (!isNew)
        {
            // A push replaces the creation time, and the resolution and named deployment only when given.
            const string UpdateSql = """
                UPDATE incidents SET
                    created = $created,
                    resolved = coalesce($resolved, resolved),
                    deployment = coalesce($deployment, deployment)
                WHERE org = $org AND system = $system AND id = $id
                RETURNING resolved, deployment
                """;
            using var reader = (_updateIncident ??= Prepare(UpdateSql, "$org", "$system", "$id", "$created", "$resolved", "$deployment"))
                .Query(org, incident.System, incident.Identifier, incident.TimestampCreated, incident.TimestampResolved, incident.Deployment);
            reader.Read();
            resolved = reader.IsDBNull(0) ? null : reader.GetInt64(0);
            named = reader.IsDBNull(1) ? null : reader.GetString(1);
        }

        if (named is not null && _namedDeployments.TryGetValue((org, incident.System), out var names))
        {
            names.Add(named);
        }

        if (_latestIncidentCreated.TryGetValue((org, incident.System), out var latest) && created > latest)
        {
            _latestIncidentCreated[(org, incident.System)] = created;
        }

        if (resolved - created is > 0 and var span)
        {
            const string SpanSql = """
                INSERT INTO incident_spans (org, max_span) VALUES ($org, $span)
                ON CONFLICT (org) DO UPDATE SET max_span = excluded.max_span WHERE excluded.max_span > incident_spans.max_span
                """;
            (_widenIncidentSpan ??= Prepare(SpanSql, "$org", "$span")).Execute(org, span);
        }

        Reattribute(org, incident.System, incident.Identifier, env: null, isNew);
    }

    /// <summary>Recomputes an incident's attributed deployment in one environment, or in all (<paramref name="env"/> null).</summary>
    /// <param name="isNew">The incident was just inserted, so it has no attribution yet to undo.</param>
    /// <remarks>Keeps <c>deployments.incidents</c>, the number of incidents attributed to each deployment, in step.</remarks>
    private void Reattribute(long org, string system, string incident, string? env, bool isNew = false)
    {
        if (!isNew)
        {
            Unattribute(org, system, incident, env);
        }

        // SPEC §3: the named deployment when a successful one of that identifier exists in the
        // environment, else the latest successful one at or before the creation time (ties: greatest
        // identifier). The CROSS JOINs fix the loop order: the one incident outermost.
        const string AttributeSql = """
            INSERT INTO incident_attributions (org, system, incident, env, dep, deployed_at)
            SELECT i.org, i.system, i.id, se.env, d.pk, d.ts
            FROM incidents i
            CROSS JOIN system_environments se
            CROSS JOIN deployments d
            WHERE i.org = $org AND i.system = $system AND i.id = $incident
              AND se.org = i.org AND se.system = i.system AND ($env IS NULL OR se.env = $env)
              AND d.pk = coalesce(
                  (SELECT n.pk FROM deployments n
                   WHERE n.org = i.org AND n.system = i.system AND n.env = se.env AND n.id = i.deployment AND n.result = 0),
                  (SELECT l.pk FROM deployments l
                   WHERE l.org = i.org AND l.system = i.system AND l.env = se.env AND l.result = 0 AND l.ts <= i.created
                   ORDER BY l.ts DESC, l.id DESC
                   LIMIT 1))
            """;
        var attributed = (_attribute ??= Prepare(AttributeSql, "$org", "$system", "$incident", "$env")).Execute(org, system, incident, env);
        if (attributed == 0)
        {
            return;
        }

        const string ChargeSql = """
            UPDATE deployments SET incidents = incidents + 1
            WHERE pk IN (SELECT a.dep FROM incident_attributions a
                         WHERE a.org = $org AND a.system = $system AND a.incident = $incident AND ($env IS NULL OR a.env = $env))
            """;
        (_chargeAttributed ??= Prepare(ChargeSql, "$org", "$system", "$incident", "$env")).Execute(org, system, incident, env);
    }

    /// <summary>Removes an incident's attributions (in one environment, or all), releasing the deployments' counts.</summary>
    private void Unattribute(long org, string system, string incident, string? env)
    {
        const string ReleaseSql = """
            UPDATE deployments SET incidents = incidents - 1
            WHERE pk IN (SELECT a.dep FROM incident_attributions a
                         WHERE a.org = $org AND a.system = $system AND a.incident = $incident AND ($env IS NULL OR a.env = $env))
            """;
        (_releaseAttributed ??= Prepare(ReleaseSql, "$org", "$system", "$incident", "$env")).Execute(org, system, incident, env);

        const string ForgetSql = """
            DELETE FROM incident_attributions
            WHERE org = $org AND system = $system AND incident = $incident AND ($env IS NULL OR env = $env)
            """;
        (_forgetAttribution ??= Prepare(ForgetSql, "$org", "$system", "$incident", "$env")).Execute(org, system, incident, env);
    }

    private SqliteStatement Prepare(string sql, params string[] parameterNames)
    {
        var statement = new SqliteStatement(_connection, sql, parameterNames);
        _statements.Add(statement);
        return statement;
    }

    private static List<string> DistinctInOrder(IReadOnlyList<string> values)
    {
        var seen = new HashSet<string>(values.Count, StringComparer.Ordinal);
        var result = new List<string>(values.Count);
        foreach (var value in values)
        {
            if (seen.Add(value))
            {
                result.Add(value);
            }
        }

        return result;
    }

    private sealed record StoredDeployment(long Pk, long Timestamp, DeploymentResult Result, List<string> Changes);
}

/// <summary>Source-generated JSON for the lists stored as JSON text and handed to SQLite's json_each.</summary>
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<object[]>))]
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
