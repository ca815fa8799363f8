using System.Text.Json;
using Npgsql;
using Stride.Core.Events;
using Stride.Storage.Sqlite;

namespace Stride.Storage.Postgres;

/// <summary>Applies a request's events inside a caller's transaction, keeping the derived facts right.</summary>
/// <remarks>
/// <para>The same rules as <c>SqliteEventWriter</c> (SPEC §2 and §3), applied per request rather than per
/// event: every derived fact (first deployments, incident attributions, the incident count of a
/// deployment) is a function of the final state of the events, so the request's events are folded in
/// memory into that final state, stored with a handful of set-based statements (array parameters), and
/// the derived rows of the keys they can affect are recomputed from the tables.</para>
/// <para>Only commit-chain work goes row by row: pushes (webhook rate), and deployments that list no
/// changes but name a commit, which take their changes from the chain as it stands at their place in
/// the list (pushes first, then deployments in list order, as on SQLite).</para>
/// <para>Concurrency: the transaction first takes an advisory lock per (organization, system) it touches,
/// in the order of the lock keys, so two requests never wait on each other crosswise. Every row a request
/// writes or derives belongs to one of its systems, except the organization's incident span, written
/// last. So each system's derived facts are computed from one consistent state, and requests for other
/// systems run alongside.</para>
/// </remarks>
internal static class PostgresEventWriter
{
    // A cancelled request is noticed while reading its events; checking every event would cost more than it saves.
    private const int CancellationCheckInterval = 256;

    // Statistics are refreshed when a table has grown past this many rows since it was last analyzed,
    // and past its size then (see AnalyzeGrownTablesAsync).
    private const int GrowthFloor = 2_000;

    // The statistics check is a catalog read, a round trip: for requests of fewer than GrowthFloor
    // deployments and incidents a process makes it at most this often, so that a stream of small
    // requests does not pay it each time (they cannot double a table unseen in a few seconds once it
    // holds more than a few thousand rows). A larger request always checks: its own rows may be what
    // makes the statistics stale.
    private const long StatisticsCheckIntervalMs = 2_000;
    private static long s_nextStatisticsCheck;

    /// <summary>Applies the events with the effect of list order; returns the number stored (pushes not counted).</summary>
    /// <exception cref="ArgumentException">An event is of an unknown type, or lacks its system or identifier.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before all events were applied.</exception>
    public static async Task<int> AppendAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long organization, IReadOnlyList<Event> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(events);

        // Everything is read and checked before the first statement: a request that cannot be stored
        // whole costs the database nothing.
        var request = Request.Read(events, ct);
        if (request.Systems.Count == 0)
        {
            return 0;
        }

        var writer = new Writer(connection, transaction, organization, ct);
        await writer.LockSystemsAsync(request.Systems, request.Named).ConfigureAwait(false);
        await writer.UpsertChangesAsync(request.Changes).ConfigureAwait(false);
        var rewalked = await writer.UpsertPushesAsync(request.Pushes).ConfigureAwait(false);
        var deployments = await writer.ResolveDeploymentsAsync(rewalked, request.Deployments).ConfigureAwait(false);
        var saved = await writer.SaveDeploymentsAsync(deployments).ConfigureAwait(false);
        var effects = DeploymentEffects.Of(saved);
        await writer.UpdateDeploymentFactsAsync(effects).ConfigureAwait(false);
        var (incidents, span) = await writer.UpsertIncidentsAsync(request.Incidents).ConfigureAwait(false);
        var written = saved.Count + incidents.Count;
        if (written >= GrowthFloor || (written > 0 && IsStatisticsCheckDue()))
        {
            await writer.AnalyzeGrownTablesAsync().ConfigureAwait(false);
        }

        await writer.ReattributeAsync(incidents, effects).ConfigureAwait(false);
        await writer.WidenIncidentSpanAsync(span).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return events.Count - request.Pushes.Count;
    }

    private static List<string> DistinctInOrder(IEnumerable<string> values)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var value in values)
        {
            if (seen.Add(value))
            {
                result.Add(value);
            }
        }

        return result;
    }

    /// <summary>Orders deployments as attribution and first deployments do: by time, then identifier.</summary>
    private static int CompareDeployments(long ts1, string id1, long ts2, string id2)
        => ts1 != ts2 ? ts1.CompareTo(ts2) : CodePointOrder.Compare(id1, id2);

    /// <summary>A request's events, checked, sorted by kind and folded where only the last state counts.</summary>
    private sealed class Request
    {
        /// <summary>Each change key's earliest time in the request (an upsert may touch a row only once per statement).</summary>
        public Dictionary<(string System, string Id), long> Changes { get; } = [];

        public List<Push> Pushes { get; } = [];

        /// <summary>In list order: a commit-chain deployment sees the deployments listed before it.</summary>
        public List<Deployment> Deployments { get; } = [];

        /// <summary>Each incident key's pushes folded: the last creation time, the last resolution and name given.</summary>
        public Dictionary<(string System, string Id), (long Created, long? Resolved, string? Deployment)> Incidents { get; } = [];

        public HashSet<string> Systems { get; } = new(StringComparer.Ordinal);

        /// <summary>The systems of its changes, deployments and incidents (not of pushes alone): those listed as the organization's.</summary>
        public HashSet<string> Named { get; } = new(StringComparer.Ordinal);

        public static Request Read(IReadOnlyList<Event> events, CancellationToken ct)
        {
            var request = new Request();
            for (var i = 0; i < events.Count; i++)
            {
                if (i % CancellationCheckInterval == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }

                // The store refuses what the schema would: a null key part is a caller's bug.
                var e = events[i];
                switch (e)
                {
                    case Change change:
                        ArgumentNullException.ThrowIfNull(change.System);
                        ArgumentNullException.ThrowIfNull(change.Identifier);
                        var key = (change.System, change.Identifier);
                        if (!request.Changes.TryGetValue(key, out var ts) || change.Timestamp < ts)
                        {
                            request.Changes[key] = change.Timestamp;
                        }

                        break;
                    case Push push:
                        ArgumentNullException.ThrowIfNull(push.System);
                        ArgumentNullException.ThrowIfNull(push.After);
                        request.Pushes.Add(push);
                        break;
                    case Deployment deployment:
                        ArgumentNullException.ThrowIfNull(deployment.System);
                        ArgumentNullException.ThrowIfNull(deployment.Identifier);
                        ArgumentNullException.ThrowIfNull(deployment.Environment);
                        request.Deployments.Add(deployment);
                        break;
                    case Incident incident:
                        ArgumentNullException.ThrowIfNull(incident.System);
                        ArgumentNullException.ThrowIfNull(incident.Identifier);
                        var incidentKey = (incident.System, incident.Identifier);
                        var folded = request.Incidents.TryGetValue(incidentKey, out var earlier)
                            ? (incident.TimestampCreated, incident.TimestampResolved ?? earlier.Resolved, incident.Deployment ?? earlier.Deployment)
                            : (incident.TimestampCreated, incident.TimestampResolved, incident.Deployment);
                        request.Incidents[incidentKey] = folded;
                        break;
                    default:
                        throw new ArgumentException($"Event {i} is of unknown type {e?.GetType().Name ?? "null"}.", nameof(events));
                }

                request.Systems.Add(e.System);
                if (e is not Push)
                {
                    request.Named.Add(e.System);
                }
            }

            ct.ThrowIfCancellationRequested();
            return request;
        }
    }

    private readonly record struct DeploymentKey(string System, string Env, string Id);

    /// <summary>A deployment as it will be stored: <see cref="Changes"/> as listed or taken from the chain.</summary>
    /// <param name="Teams">The teams as a JSON array.</param>
    /// <param name="Gap">The commit where the chain walk found no push, if it stopped there.</param>
    private sealed record DeploymentVersion(
        string System, string Env, string Id, long Ts, DeploymentResult Result, bool Rework, string? Commit, string Teams, List<string> Changes, string? Gap)
    {
        public DeploymentKey Key => new(System, Env, Id);

        public bool Ok => Result == DeploymentResult.Success;
    }

    /// <summary>A deployment just stored, with what was stored before under its key (null when new).</summary>
    private sealed record SavedDeployment(DeploymentVersion Version, long Pk, StoredDeployment? Old);

    private sealed record StoredDeployment(long Ts, DeploymentResult Result, string[] Changes);

    /// <summary>What the stored deployments change in the derived tables, as the keys to recompute.</summary>
    private sealed class DeploymentEffects
    {
        public List<(string System, string Change, long Dep)> Unlisted { get; } = [];

        public List<(string System, string Change, long Dep)> Listed { get; } = [];

        /// <summary>Where a system has now deployed successfully (system_environments never shrinks).</summary>
        public HashSet<(string System, string Env)> Environments { get; } = [];

        /// <summary>
        /// The (system, change, environment) whose first deployment may have moved to another stored
        /// deployment: one that was a candidate stopped being one, or moved. Recomputed from the tables.
        /// </summary>
        public HashSet<(string System, string Change, string Env)> FirstDeployments { get; } = [];

        /// <summary>
        /// The (system, change, environment) that only gained candidates, with the best of them: the
        /// first deployment is the stored one or this, whichever comes first. The common case (a new
        /// deployment of new changes), and far cheaper than recomputing.
        /// </summary>
        public Dictionary<(string System, string Change, string Env), (long Ts, string Id, long Dep)> Offers { get; } = [];

        /// <summary>Successful deployments (old or new version) that came, went or moved: incidents naming them move.</summary>
        public HashSet<DeploymentKey> Named { get; } = [];

        /// <summary>
        /// Per system and environment, the earliest and latest time of such a deployment: only incidents
        /// created from the earliest up to the next successful deployment after the latest can change
        /// attribution (an unchanged later deployment wins over all of them).
        /// </summary>
        public Dictionary<(string System, string Env), (long From, long Last)> Spans { get; } = [];

        public static DeploymentEffects Of(List<SavedDeployment> saved)
        {
            var effects = new DeploymentEffects();
            foreach (var (version, pk, old) in saved)
            {
                var oldChanges = old?.Changes ?? [];
                var oldSet = oldChanges.ToHashSet(StringComparer.Ordinal);
                var newSet = version.Changes.ToHashSet(StringComparer.Ordinal);
                effects.Unlisted.AddRange(oldChanges.Where(c => !newSet.Contains(c)).Select(c => (version.System, c, pk)));
                effects.Listed.AddRange(version.Changes.Where(c => !oldSet.Contains(c)).Select(c => (version.System, c, pk)));

                var wasOk = old is { Result: DeploymentResult.Success };
                var ok = version.Ok;
                if (ok)
                {
                    effects.Environments.Add((version.System, version.Env));
                }

                // A successful version that stays successful at the same time changes nothing for the
                // changes both versions list, nor for any incident.
                var moved = !(wasOk && ok && old!.Ts == version.Ts);
                if (wasOk)
                {
                    foreach (var change in oldChanges.Where(c => moved || !newSet.Contains(c)))
                    {
                        effects.FirstDeployments.Add((version.System, change, version.Env));
                    }
                }

                if (ok)
                {
                    foreach (var change in version.Changes.Where(c => moved || !oldSet.Contains(c)))
                    {
                        var key = (version.System, change, version.Env);
                        if (!effects.Offers.TryGetValue(key, out var best) || CompareDeployments(version.Ts, version.Id, best.Ts, best.Id) < 0)
                        {
                            effects.Offers[key] = (version.Ts, version.Id, pk);
                        }
                    }
                }

                if ((wasOk || ok) && moved)
                {
                    effects.Named.Add(version.Key);
                    foreach (var ts in new[] { wasOk ? old!.Ts : (long?)null, ok ? version.Ts : null })
                    {
                        if (ts is { } t)
                        {
                            var place = (version.System, version.Env);
                            effects.Spans[place] = effects.Spans.TryGetValue(place, out var span)
                                ? (Math.Min(span.From, t), Math.Max(span.Last, t))
                                : (t, t);
                        }
                    }
                }
            }

            // A key recomputed takes its offers into account by itself.
            foreach (var key in effects.FirstDeployments)
            {
                effects.Offers.Remove(key);
            }

            return effects;
        }
    }

    /// <summary>The statements of one request, on the caller's connection and transaction.</summary>
    /// <summary>Whether this request checks the tables' statistics: one request per interval and process does.</summary>
    private static bool IsStatisticsCheckDue()
    {
        var now = Environment.TickCount64;
        var next = Interlocked.Read(ref s_nextStatisticsCheck);
        return now >= next && Interlocked.CompareExchange(ref s_nextStatisticsCheck, now + StatisticsCheckIntervalMs, next) == next;
    }

    private sealed class Writer(NpgsqlConnection connection, NpgsqlTransaction transaction, long org, CancellationToken ct)
    {
        /// <summary>Takes the lock of each system of the request, and records the <paramref name="named"/> ones as the organization's.</summary>
        public async Task LockSystemsAsync(HashSet<string> systems, HashSet<string> named)
        {
            // One transaction-scoped lock per system, taken in the order of the lock keys (the sorted
            // subquery feeds the aggregate row by row): two requests sharing systems queue on the first
            // shared one instead of each holding one the other wants. Hash collisions only make two
            // systems share a lock.
            // The statements that follow are auto-prepared (Max Auto Prepare), and PostgreSQL would soon
            // plan them generically, guessing 10 rows for every array: fine for one event, quadratic for a
            // batch of thousands. Custom plans, for the rest of the transaction, see the arrays' sizes.
            // random_page_cost 1.1 (from 4): the pages a request probes (the indexes of the systems it
            // touches) are in memory, and at 4 the planner preferred hashing a whole derived table to
            // probing its index a few thousand times, so that a request's cost grew with the history
            // (measured: 120 ms against 38 ms for 3,500 changes over 180k first deployments).
            const string Sql = """
                SELECT set_config('plan_cache_mode', 'force_custom_plan', true), set_config('random_page_cost', '1.1', true),
                       count(pg_advisory_xact_lock(k)) FROM (
                    SELECT DISTINCT hashtextextended(@org::text || '/' || s, 0) AS k FROM unnest(@systems::text[]) AS s
                    ORDER BY k) AS keys;
                INSERT INTO systems (org, system) SELECT @org, unnest(@named::text[]) ON CONFLICT DO NOTHING
                """;
            await ExecuteAsync(Sql, ("systems", (object?)systems.ToArray()), ("named", named.ToArray())).ConfigureAwait(false);
        }

        public async Task UpsertChangesAsync(Dictionary<(string System, string Id), long> changes)
        {
            if (changes.Count == 0)
            {
                return;
            }

            // Earliest timestamp wins; the WHERE leaves a row alone when the push is not earlier. The
            // rows inserted or lowered are copied into first_deployments.changed_at, where lead times are
            // read (SQLite does it with triggers).
            const string Sql = """
                WITH saved AS (
                    INSERT INTO changes AS c (org, system, id, ts)
                    SELECT @org, u.system, u.id, u.ts FROM unnest(@systems::text[], @ids::text[], @times::bigint[]) AS u(system, id, ts)
                    ON CONFLICT (org, system, id) DO UPDATE SET ts = excluded.ts WHERE excluded.ts < c.ts
                    RETURNING c.system, c.id, c.ts)
                UPDATE first_deployments f SET changed_at = saved.ts
                FROM saved
                WHERE f.org = @org AND f.system = saved.system AND f.change = saved.id AND f.changed_at IS DISTINCT FROM saved.ts
                """;
            await ExecuteAsync(
                Sql,
                ("systems", changes.Keys.Select(k => k.System).ToArray()),
                ("ids", changes.Keys.Select(k => k.Id).ToArray()),
                ("times", changes.Values.ToArray())).ConfigureAwait(false);
        }

        /// <summary>Stores the pushes in list order; returns the stored deployments whose chains they complete, walked again.</summary>
        public async Task<Dictionary<DeploymentKey, DeploymentVersion>> UpsertPushesAsync(List<Push> pushes)
        {
            // A push that created a branch (no before) does not replace one that knows where it came from,
            // and a commit moves to the latest push that brought it unless that push only created a
            // branch (see SqliteEventWriter.UpsertPush). Then the deployments whose walk stopped at a
            // commit this push brings are found.
            const string PushSql = """
                INSERT INTO pushes AS p (org, system, after, before, commits) VALUES (@org, @system, @after, @before::text, @commits::jsonb)
                ON CONFLICT (org, system, after) DO UPDATE SET before = excluded.before, commits = excluded.commits
                WHERE excluded.before IS NOT NULL OR p.before IS NULL
                """;
            const string CommitsSql = """
                INSERT INTO push_commits AS c (org, system, sha, after)
                SELECT @org, @system, sha, @after FROM unnest(@shas::text[]) AS sha
                ON CONFLICT (org, system, sha) DO UPDATE SET after = excluded.after
                WHERE @before::text IS NOT NULL
                   OR (SELECT p.before FROM pushes p WHERE p.org = @org AND p.system = @system AND p.after = c.after) IS NULL
                """;
            const string WaitingSql = """
                SELECT env, id, ts, result, rework, commit_sha, teams::text, chain_gap FROM deployments
                WHERE org = @org AND system = @system AND chain_gap = ANY(@shas::text[])
                """;

            var rewalked = new Dictionary<DeploymentKey, DeploymentVersion>();
            foreach (var push in pushes)
            {
                var before = ChainWalk.IsNoCommit(push.Before) ? null : push.Before;
                var commits = DistinctInOrder(push.Commits ?? []);
                var shas = DistinctInOrder([.. commits, push.After]);
                var commitsJson = JsonSerializer.Serialize(commits, StorageJson.Relaxed.ListString);
                await using var batch = new NpgsqlBatch(connection, transaction);
                batch.BatchCommands.Add(BatchCommand(
                    PushSql, ("system", push.System), ("after", push.After), ("before", before), ("commits", commitsJson)));
                batch.BatchCommands.Add(BatchCommand(
                    CommitsSql, ("system", push.System), ("after", push.After), ("before", before), ("shas", commits.ToArray())));
                batch.BatchCommands.Add(BatchCommand(WaitingSql, ("system", push.System), ("shas", shas.ToArray())));

                var waiting = new List<DeploymentVersion>();
                await using (var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        waiting.Add(new DeploymentVersion(
                            push.System, reader.GetString(0), reader.GetString(1), reader.GetInt64(2), (DeploymentResult)reader.GetInt16(3),
                            reader.GetBoolean(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), [],
                            reader.GetString(7)));
                    }
                }

                // A deployment walked again earlier in this request waits where that walk stopped, not
                // where its stored row says.
                var gaps = shas.ToHashSet(StringComparer.Ordinal);
                waiting.RemoveAll(w => rewalked.ContainsKey(w.Key));
                waiting.AddRange(rewalked.Values.Where(r => r.System == push.System && r.Gap is not null && gaps.Contains(r.Gap)));
                foreach (var deployment in waiting)
                {
                    // Walked as a re-push of itself: its time, result and commit are those stored, so the
                    // previously deployed commit is read from the table as it stands.
                    var (changes, gap) = await ChainChangesAsync(deployment, []).ConfigureAwait(false);
                    rewalked[deployment.Key] = deployment with { Changes = changes, Gap = gap };
                }
            }

            return rewalked;
        }

        /// <summary>
        /// The final version of every deployment key the request stores: the walked-again ones, then the
        /// request's in list order, the last of a key winning; commit-chain ones walked at their place.
        /// </summary>
        public async Task<Dictionary<DeploymentKey, DeploymentVersion>> ResolveDeploymentsAsync(
            Dictionary<DeploymentKey, DeploymentVersion> rewalked, List<Deployment> deployments)
        {
            var final = new Dictionary<DeploymentKey, DeploymentVersion>(rewalked);
            var listedBefore = new Dictionary<DeploymentKey, DeploymentVersion>();
            foreach (var deployment in deployments)
            {
                var version = new DeploymentVersion(
                    deployment.System, deployment.Environment, deployment.Identifier, deployment.Timestamp, deployment.Result, deployment.Rework,
                    deployment.Commit, JsonSerializer.Serialize(deployment.Teams ?? [], StorageJson.Relaxed.IReadOnlyListString),
                    DistinctInOrder(deployment.Changes ?? []), Gap: null);
                if (version.Changes.Count == 0 && !string.IsNullOrEmpty(deployment.Commit))
                {
                    // Stored as if it had listed the commits of its chain (SPEC §4.4), as on SQLite.
                    var (changes, gap) = await ChainChangesAsync(version, listedBefore).ConfigureAwait(false);
                    version = version with { Changes = changes, Gap = gap };
                }

                final[version.Key] = version;
                listedBefore[version.Key] = version;
            }

            return final;
        }

        /// <summary>Upserts the deployments; returns each with its key and the version it replaced.</summary>
        public async Task<List<SavedDeployment>> SaveDeploymentsAsync(Dictionary<DeploymentKey, DeploymentVersion> deployments)
        {
            if (deployments.Count == 0)
            {
                return [];
            }

            // The stored versions are read first, then the deployments upserted, in one round trip. Two
            // statements rather than one joining them, so that no plan can make the join quadratic. No
            // row lock is needed on top: the system's advisory lock keeps other writers out.
            const string OldSql = """
                SELECT d.pk, d.ts, d.result, ARRAY(SELECT jsonb_array_elements_text(d.changes))
                FROM unnest(@systems::text[], @envs::text[], @ids::text[]) AS u(system, env, id)
                JOIN deployments d ON d.org = @org AND d.system = u.system AND d.env = u.env AND d.id = u.id
                """;
            const string SaveSql = """
                INSERT INTO deployments AS d (org, system, env, id, ts, result, rework, commit_sha, teams, changes, chain_gap)
                SELECT @org, u.system, u.env, u.id, u.ts, u.result, u.rework, u.commit_sha, u.teams::jsonb, u.changes::jsonb, u.chain_gap
                FROM unnest(@systems::text[], @envs::text[], @ids::text[], @times::bigint[], @results::smallint[],
                            @reworks::boolean[], @commits::text[], @teams::text[], @changes::text[], @gaps::text[])
                    AS u(system, env, id, ts, result, rework, commit_sha, teams, changes, chain_gap)
                ON CONFLICT (org, system, env, id) DO UPDATE SET
                    ts = excluded.ts, result = excluded.result, rework = excluded.rework, commit_sha = excluded.commit_sha,
                    teams = excluded.teams, changes = excluded.changes, chain_gap = excluded.chain_gap
                RETURNING d.pk, d.system, d.env, d.id
                """;
            var versions = deployments.Values.ToList();
            (string, object?)[] keys =
            [
                ("systems", versions.Select(v => v.System).ToArray()),
                ("envs", versions.Select(v => v.Env).ToArray()),
                ("ids", versions.Select(v => v.Id).ToArray()),
            ];
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.BatchCommands.Add(BatchCommand(OldSql, keys));
            batch.BatchCommands.Add(BatchCommand(
                SaveSql,
                [
                    .. keys,
                    ("times", versions.Select(v => v.Ts).ToArray()),
                    ("results", versions.Select(v => (short)v.Result).ToArray()),
                    ("reworks", versions.Select(v => v.Rework).ToArray()),
                    ("commits", versions.Select(v => v.Commit).ToArray()),
                    ("teams", versions.Select(v => v.Teams).ToArray()),
                    ("changes", versions.Select(v => JsonSerializer.Serialize(v.Changes, StorageJson.Relaxed.ListString)).ToArray()),
                    ("gaps", versions.Select(v => v.Gap).ToArray()),
                ]));
            var old = new Dictionary<long, StoredDeployment>();
            var saved = new List<SavedDeployment>(versions.Count);
            await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                old[reader.GetInt64(0)] = new StoredDeployment(reader.GetInt64(1), (DeploymentResult)reader.GetInt16(2), reader.GetFieldValue<string[]>(3));
            }

            await reader.NextResultAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var pk = reader.GetInt64(0);
                var key = new DeploymentKey(reader.GetString(1), reader.GetString(2), reader.GetString(3));
                saved.Add(new SavedDeployment(deployments[key], pk, old.GetValueOrDefault(pk)));
            }

            return saved;
        }

        /// <summary>Lists the deployments' changes, records their environments and recomputes the first deployments they can move.</summary>
        public async Task UpdateDeploymentFactsAsync(DeploymentEffects effects)
        {
            const string UnlistSql = """
                DELETE FROM deployment_changes dc
                USING unnest(@systems::text[], @changes::text[], @deps::bigint[]) AS u(system, change, dep)
                WHERE dc.org = @org AND dc.system = u.system AND dc.change = u.change AND dc.dep = u.dep
                """;
            const string ListSql = """
                INSERT INTO deployment_changes (org, system, change, dep)
                SELECT @org, u.system, u.change, u.dep FROM unnest(@systems::text[], @changes::text[], @deps::bigint[]) AS u(system, change, dep)
                ON CONFLICT DO NOTHING
                """;
            const string EnvironmentsSql = """
                INSERT INTO system_environments (org, system, env)
                SELECT @org, u.system, u.env FROM unnest(@systems::text[], @envs::text[]) AS u(system, env)
                ON CONFLICT DO NOTHING
                """;

            // Each key's first deployment is the successful deployment of the environment listing the
            // change with the least (time, identifier), read from the deployments that list it; a key
            // none lists any more loses its row.
            const string FirstSql = """
                WITH first AS (
                    SELECT k.system, k.change, k.env, b.pk, b.ts
                    FROM unnest(@systems::text[], @changes::text[], @envs::text[]) AS k(system, change, env)
                    LEFT JOIN LATERAL (
                        SELECT d.pk, d.ts FROM deployment_changes dc
                        CROSS JOIN LATERAL (
                            SELECT d.pk, d.ts, d.id FROM deployments d WHERE d.pk = dc.dep AND d.env = k.env AND d.result = 0 OFFSET 0) d
                        WHERE dc.org = @org AND dc.system = k.system AND dc.change = k.change
                        ORDER BY d.ts, d.id
                        LIMIT 1) b ON true),
                forgotten AS (
                    DELETE FROM first_deployments f USING first
                    WHERE first.pk IS NULL AND f.org = @org AND f.system = first.system AND f.change = first.change AND f.env = first.env)
                INSERT INTO first_deployments AS f (org, system, change, env, dep, deployed_at, changed_at)
                SELECT @org, first.system, first.change, first.env, first.pk, first.ts, c.ts
                FROM first
                LEFT JOIN changes c ON c.org = @org AND c.system = first.system AND c.id = first.change
                WHERE first.pk IS NOT NULL
                ON CONFLICT (org, system, change, env) DO UPDATE SET dep = excluded.dep, deployed_at = excluded.deployed_at
                WHERE f.dep <> excluded.dep OR f.deployed_at <> excluded.deployed_at
                """;

            // An offered deployment replaces the stored first one when it comes before it: earlier, or
            // as early with a smaller identifier.
            const string OfferSql = """
                INSERT INTO first_deployments AS f (org, system, change, env, dep, deployed_at, changed_at)
                SELECT @org, u.system, u.change, u.env, u.dep, u.ts, c.ts
                FROM unnest(@systems::text[], @changes::text[], @envs::text[], @deps::bigint[], @times::bigint[]) AS u(system, change, env, dep, ts)
                LEFT JOIN changes c ON c.org = @org AND c.system = u.system AND c.id = u.change
                ON CONFLICT (org, system, change, env) DO UPDATE SET dep = excluded.dep, deployed_at = excluded.deployed_at
                WHERE excluded.deployed_at < f.deployed_at
                   OR (excluded.deployed_at = f.deployed_at
                       AND (SELECT d.id FROM deployments d WHERE d.pk = excluded.dep) < (SELECT d.id FROM deployments d WHERE d.pk = f.dep))
                """;

            await using var batch = new NpgsqlBatch(connection, transaction);
            if (effects.Unlisted.Count > 0)
            {
                batch.BatchCommands.Add(BatchCommand(
                    UnlistSql,
                    ("systems", effects.Unlisted.Select(u => u.System).ToArray()),
                    ("changes", effects.Unlisted.Select(u => u.Change).ToArray()),
                    ("deps", effects.Unlisted.Select(u => u.Dep).ToArray())));
            }

            if (effects.Listed.Count > 0)
            {
                batch.BatchCommands.Add(BatchCommand(
                    ListSql,
                    ("systems", effects.Listed.Select(u => u.System).ToArray()),
                    ("changes", effects.Listed.Select(u => u.Change).ToArray()),
                    ("deps", effects.Listed.Select(u => u.Dep).ToArray())));
            }

            if (effects.Environments.Count > 0)
            {
                batch.BatchCommands.Add(BatchCommand(
                    EnvironmentsSql,
                    ("systems", effects.Environments.Select(e => e.System).ToArray()),
                    ("envs", effects.Environments.Select(e => e.Env).ToArray())));
            }

            if (effects.FirstDeployments.Count > 0)
            {
                batch.BatchCommands.Add(BatchCommand(
                    FirstSql,
                    ("systems", effects.FirstDeployments.Select(f => f.System).ToArray()),
                    ("changes", effects.FirstDeployments.Select(f => f.Change).ToArray()),
                    ("envs", effects.FirstDeployments.Select(f => f.Env).ToArray())));
            }

            if (effects.Offers.Count > 0)
            {
                batch.BatchCommands.Add(BatchCommand(
                    OfferSql,
                    ("systems", effects.Offers.Keys.Select(k => k.System).ToArray()),
                    ("changes", effects.Offers.Keys.Select(k => k.Change).ToArray()),
                    ("envs", effects.Offers.Keys.Select(k => k.Env).ToArray()),
                    ("deps", effects.Offers.Values.Select(o => o.Dep).ToArray()),
                    ("times", effects.Offers.Values.Select(o => o.Ts).ToArray())));
            }

            if (batch.BatchCommands.Count > 0)
            {
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }

        /// <summary>Upserts the folded incidents; returns their keys and the longest (resolved - created) among them.</summary>
        public async Task<(List<(string System, string Id)> Keys, long Span)> UpsertIncidentsAsync(
            Dictionary<(string System, string Id), (long Created, long? Resolved, string? Deployment)> incidents)
        {
            if (incidents.Count == 0)
            {
                return ([], 0);
            }

            // A push replaces the creation time, and the resolution and named deployment only when given.
            const string Sql = """
                WITH saved AS (
                    INSERT INTO incidents AS i (org, system, id, created, resolved, deployment)
                    SELECT @org, u.system, u.id, u.created, u.resolved, u.deployment
                    FROM unnest(@systems::text[], @ids::text[], @created::bigint[], @resolved::bigint[], @deployments::text[])
                        AS u(system, id, created, resolved, deployment)
                    ON CONFLICT (org, system, id) DO UPDATE SET
                        created = excluded.created,
                        resolved = coalesce(excluded.resolved, i.resolved),
                        deployment = coalesce(excluded.deployment, i.deployment)
                    RETURNING i.resolved - i.created AS span)
                SELECT coalesce(max(span), 0) FROM saved
                """;
            var keys = incidents.Keys.ToList();
            await using var command = Command(
                Sql,
                ("systems", keys.Select(k => k.System).ToArray()),
                ("ids", keys.Select(k => k.Id).ToArray()),
                ("created", keys.Select(k => incidents[k].Created).ToArray()),
                ("resolved", keys.Select(k => incidents[k].Resolved).ToArray()),
                ("deployments", keys.Select(k => incidents[k].Deployment).ToArray()));
            var span = (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
            return (keys, span);
        }

        /// <summary>Recomputes the attributions the request can have changed, and the incident counts of the deployments involved.</summary>
        /// <remarks>
        /// The incidents recomputed (per environment where their system deployed successfully): those the
        /// request pushed; those naming a successful deployment that came, went or moved; and those created
        /// in the span such deployments can take incidents from (see <see cref="DeploymentEffects.Spans"/>).
        /// </remarks>
        public async Task ReattributeAsync(List<(string System, string Id)> incidents, DeploymentEffects effects)
        {
            if (incidents.Count == 0 && effects.Named.Count == 0)
            {
                return;
            }

            // SPEC §3: the named deployment when a successful one of that identifier exists in the
            // environment, else the latest successful one at or before the creation time (ties: greatest
            // identifier). The deployments the old and new attributions point at are returned for
            // recounting.
            const string Sql = """
                WITH affected AS (
                    SELECT u.system, u.id AS incident, se.env
                    FROM unnest(@incidentSystems::text[], @incidentIds::text[]) AS u(system, id)
                    JOIN system_environments se ON se.org = @org AND se.system = u.system
                    UNION
                    SELECT i.system, i.id, n.env
                    FROM unnest(@namedSystems::text[], @namedEnvs::text[], @namedIds::text[]) AS n(system, env, id)
                    JOIN incidents i ON i.org = @org AND i.system = n.system AND i.deployment = n.id
                    UNION
                    SELECT i.system, i.id, s.env
                    FROM unnest(@spanSystems::text[], @spanEnvs::text[], @spanFroms::bigint[], @spanLasts::bigint[]) AS s(system, env, "from", last)
                    JOIN incidents i ON i.org = @org AND i.system = s.system AND i.created >= s."from"
                     AND i.created < coalesce(
                         (SELECT min(d.ts) FROM deployments d
                          WHERE d.org = @org AND d.system = s.system AND d.env = s.env AND d.result = 0 AND d.ts > s.last),
                         9223372036854775807)),
                attributed AS (
                    SELECT a.system, a.incident, a.env, coalesce(n.pk, l.pk) AS dep, coalesce(n.ts, l.ts) AS ts
                    FROM affected a
                    JOIN incidents i ON i.org = @org AND i.system = a.system AND i.id = a.incident
                    LEFT JOIN LATERAL (
                        SELECT d.pk, d.ts FROM deployments d
                        WHERE d.org = @org AND d.system = a.system AND d.env = a.env AND d.id = i.deployment AND d.result = 0
                        OFFSET 0) n ON true
                    LEFT JOIN LATERAL (
                        SELECT d.pk, d.ts FROM deployments d
                        WHERE n.pk IS NULL AND d.org = @org AND d.system = a.system AND d.env = a.env AND d.result = 0 AND d.ts <= i.created
                        ORDER BY d.ts DESC, d.id DESC
                        LIMIT 1) l ON true),
                old AS (
                    SELECT x.dep
                    FROM attributed a
                    JOIN incident_attributions x ON x.org = @org AND x.system = a.system AND x.incident = a.incident AND x.env = a.env
                    WHERE x.dep IS DISTINCT FROM a.dep),
                forgotten AS (
                    DELETE FROM incident_attributions x USING attributed a
                    WHERE a.dep IS NULL AND x.org = @org AND x.system = a.system AND x.incident = a.incident AND x.env = a.env),
                saved AS (
                    INSERT INTO incident_attributions AS x (org, system, incident, env, dep, deployed_at)
                    SELECT @org, a.system, a.incident, a.env, a.dep, a.ts FROM attributed a WHERE a.dep IS NOT NULL
                    ON CONFLICT (org, system, incident, env) DO UPDATE SET dep = excluded.dep, deployed_at = excluded.deployed_at
                    WHERE x.dep <> excluded.dep OR x.deployed_at <> excluded.deployed_at
                    RETURNING x.dep)
                SELECT dep FROM old UNION SELECT dep FROM saved
                """;

            // Counting afresh (rather than adding and subtracting) keeps the count right whatever the
            // request did to a deployment's attributions.
            const string CountSql = """
                UPDATE deployments d SET incidents = n.incidents
                FROM (SELECT u.pk, (SELECT count(*) FROM incident_attributions a WHERE a.dep = u.pk) AS incidents
                      FROM unnest(@deps::bigint[]) AS u(pk)) n
                WHERE d.pk = n.pk AND d.incidents <> n.incidents
                """;

            var named = effects.Named.ToList();
            var spans = effects.Spans.ToList();
            var deps = new List<long>();
            await using (var command = Command(
                Sql,
                ("incidentSystems", incidents.Select(i => i.System).ToArray()),
                ("incidentIds", incidents.Select(i => i.Id).ToArray()),
                ("namedSystems", named.Select(n => n.System).ToArray()),
                ("namedEnvs", named.Select(n => n.Env).ToArray()),
                ("namedIds", named.Select(n => n.Id).ToArray()),
                ("spanSystems", spans.Select(s => s.Key.System).ToArray()),
                ("spanEnvs", spans.Select(s => s.Key.Env).ToArray()),
                ("spanFroms", spans.Select(s => s.Value.From).ToArray()),
                ("spanLasts", spans.Select(s => s.Value.Last).ToArray())))
            {
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    deps.Add(reader.GetInt64(0));
                }
            }

            if (deps.Count > 0)
            {
                await ExecuteAsync(CountSql, ("deps", (object?)deps.ToArray())).ConfigureAwait(false);
            }
        }

        /// <summary>Gathers statistics on the event tables when they have grown much since they were last analyzed, in this transaction.</summary>
        /// <remarks>
        /// With stale statistics (a new database, or a table that has since grown many times over, as
        /// during an import) the planner takes (org, env, ts) for as selective as (org, system, env, ts)
        /// and looks attributions up through the wrong index, and hashes whole tables it should probe:
        /// a request's cost then grows with the history. Autovacuum analyzes too late for an import (it
        /// wakes once a minute), so the writer does it when a table is new or has more than doubled
        /// (and grown by <see cref="GrowthFloor"/> rows) since its last analysis: a few times in a table's
        /// life, at a cost of tens of milliseconds. The check itself reads the statistics views only.
        /// ANALYZE counts this transaction's own new rows; the lock it takes is waited for only by
        /// another ANALYZE (or autovacuum) until the commit.
        /// </remarks>
        public async Task AnalyzeGrownTablesAsync()
        {
            const string StaleSql = """
                SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_class c
                JOIN pg_stat_user_tables s ON s.relid = c.oid
                WHERE c.oid IN ('changes'::regclass, 'deployments'::regclass, 'deployment_changes'::regclass, 'first_deployments'::regclass,
                                'incidents'::regclass, 'incident_attributions'::regclass, 'system_environments'::regclass)
                  AND (c.reltuples < 0 OR s.n_mod_since_analyze > greatest(c.reltuples, @floor))
                """;
            await using var command = Command(StaleSql, ("floor", (object?)GrowthFloor));
            if (await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is string tables)
            {
                await ExecuteAsync($"ANALYZE {tables}").ConfigureAwait(false);
            }
        }

        /// <summary>Raises the organization's longest incident span to <paramref name="span"/> when it is longer.</summary>
        public async Task WidenIncidentSpanAsync(long span)
        {
            if (span <= 0)
            {
                return;
            }

            // The organization's one row is shared by all its systems: it is written last (held until the
            // commit, briefly), and not at all when it is already wide enough, which the NOT EXISTS reads
            // without locking it.
            const string Sql = """
                INSERT INTO incident_spans AS s (org, max_span)
                SELECT @org, @span WHERE NOT EXISTS (SELECT 1 FROM incident_spans x WHERE x.org = @org AND x.max_span >= @span)
                ON CONFLICT (org) DO UPDATE SET max_span = excluded.max_span WHERE excluded.max_span > s.max_span
                """;
            await ExecuteAsync(Sql, ("span", (object?)span)).ConfigureAwait(false);
        }

        /// <summary>
        /// The changes of a deployment of a commit that lists none: every commit pushed on the chain from
        /// the system's previously deployed commit up to it (SPEC §4.4), oldest first; see
        /// <c>SqliteEventWriter.ChainChanges</c>, whose walk this is.
        /// </summary>
        /// <param name="deployment">The deployment, with its commit.</param>
        /// <param name="listedBefore">The request's deployments listed before it, which count as stored.</param>
        /// <returns>The changes, and the commit Stride saw no push of where the walk stopped (null when it stopped for another reason).</returns>
        private async Task<(List<string> Changes, string? Gap)> ChainChangesAsync(
            DeploymentVersion deployment, Dictionary<DeploymentKey, DeploymentVersion> listedBefore)
        {
            var stop = await PreviousDeployedCommitAsync(deployment, listedBefore).ConfigureAwait(false);

            // The deployed commit is looked up among the commits pushes brought (its latest push); each
            // later step among the pushes' heads, since a before is the head the previous push left.
            const string ContainingSql = """
                SELECT after, before, commits::text FROM pushes
                WHERE org = @org AND system = @system AND after = coalesce(
                    (SELECT c.after FROM push_commits c WHERE c.org = @org AND c.system = @system AND c.sha = @sha),
                    @sha)
                """;
            const string ToSql = """
                SELECT after, before, commits::text FROM pushes
                WHERE org = @org AND system = @system AND after = CASE
                    WHEN EXISTS (SELECT 1 FROM pushes p WHERE p.org = @org AND p.system = @system AND p.after = @sha) THEN @sha
                    ELSE (SELECT c.after FROM push_commits c WHERE c.org = @org AND c.system = @system AND c.sha = @sha) END
                """;

            var walk = new ChainWalk(deployment.Commit!, stop);
            while (walk.Next is { } sha)
            {
                await using var command = Command(walk.First ? ContainingSql : ToSql, ("system", deployment.System), ("sha", sha));
                await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                walk.Take(await reader.ReadAsync(ct).ConfigureAwait(false)
                    ? new PushLink(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                        JsonSerializer.Deserialize(reader.GetString(2), StorageJson.Relaxed.ListString) ?? [])
                    : null);
            }

            return (walk.Changes, walk.Gap);
        }

        /// <summary>
        /// The commit of the latest successful deployment of the system in the environment before this one
        /// (by time, then identifier) that names one, counting the request's deployments listed before it
        /// in place of the stored versions of their keys.
        /// </summary>
        private async Task<string?> PreviousDeployedCommitAsync(DeploymentVersion deployment, Dictionary<DeploymentKey, DeploymentVersion> listedBefore)
        {
            // Stored rows are read newest first, a few at a time, skipping those the request replaces.
            const string Sql = """
                SELECT id, ts, commit_sha FROM deployments
                WHERE org = @org AND system = @system AND env = @env AND result = 0 AND commit_sha IS NOT NULL
                  AND (ts, id) < (@ts, @id::text)
                ORDER BY ts DESC, id DESC
                LIMIT @limit
                """;
            (long Ts, string Id, string Commit)? stored = null;
            var (ts, id, limit) = (deployment.Ts, deployment.Id, 4);
            while (stored is null)
            {
                var rows = 0;
                await using (var command = Command(
                    Sql, ("system", deployment.System), ("env", deployment.Env), ("ts", ts), ("id", id), ("limit", limit)))
                {
                    await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        rows++;
                        (id, ts) = (reader.GetString(0), reader.GetInt64(1));
                        if (stored is null && !listedBefore.ContainsKey(new DeploymentKey(deployment.System, deployment.Env, id)))
                        {
                            stored = (ts, id, reader.GetString(2));
                        }
                    }
                }

                if (rows < limit)
                {
                    break;
                }

                limit *= 4;
            }

            var previous = stored;
            foreach (var listed in listedBefore.Values)
            {
                if (listed.System == deployment.System && listed.Env == deployment.Env && listed.Ok && listed.Commit is not null
                    && CompareDeployments(listed.Ts, listed.Id, deployment.Ts, deployment.Id) < 0
                    && (previous is not { } p || CompareDeployments(listed.Ts, listed.Id, p.Ts, p.Id) > 0))
                {
                    previous = (listed.Ts, listed.Id, listed.Commit);
                }
            }

            return previous?.Commit;
        }

        private async Task ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
        {
            await using var command = Command(sql, parameters);
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        private NpgsqlCommand Command(string sql, params (string Name, object? Value)[] parameters)
        {
            var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.AddWithValue("org", org);
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            return command;
        }

        private NpgsqlBatchCommand BatchCommand(string sql, params (string Name, object? Value)[] parameters)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue("org", org);
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            return command;
        }
    }
}
