using System.Text.Json;
using Npgsql;
using Stride.Core.Events;
using Stride.Storage.Sqlite;

namespace Stride.Storage.Postgres;

/// <summary>Applies a request's events inside a caller's transaction, and records what it saved in the feed.</summary>
/// <remarks>
/// <para>The same rules as <c>SqliteEventWriter</c> (SPEC §2), applied per request rather than per event:
/// the request's events are folded in memory into the final state of each key (a change's earliest
/// time, a deployment's last version, an incident's fields), and that final state is added to
/// <c>event_feed</c> as one row, from which every node's in-memory index (<see cref="PostgresIndexes"/>)
/// derives the facts. Deployments and incidents are also stored in their tables, with a few set-based
/// statements (array parameters): the chain walk and the incidents' merge read them back.</para>
/// <para>Changes are stored in the feed row only, which is kept for good when it holds any. A change
/// is never read back while writing, and its one rule (the earliest time wins) is applied by the
/// index, in whatever order its pushes come: so a change costs the database a few dozen bytes of one
/// row rather than a row and an index entry of its own, most of a batch's work.</para>
/// <para>Only commit-chain work goes row by row: pushes (webhook rate), and deployments that list no
/// changes but name a commit, which take their changes from the chain as it stands at their place in
/// the list (pushes first, then deployments in list order, as on SQLite).</para>
/// <para>Concurrency: the transaction first takes an advisory lock per (organization, system) it stores a
/// deployment, incident or push of, in the order of the lock keys, so two requests never wait on each
/// other crosswise, and writes nothing before: its transaction id, which orders its feed row, is taken
/// after every earlier writer of those systems committed. Changes need no lock (their rule does not
/// depend on order), and requests for other systems run alongside.</para>
/// </remarks>
internal static class PostgresEventWriter
{
    // A cancelled request is noticed while reading its events; checking every event would cost more than it saves.
    private const int CancellationCheckInterval = 256;

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
        using var writer = new Writer(connection, transaction, organization, ct);
        writer.LockSystems(request.Locked);
        var rewalked = await writer.UpsertPushesAsync(request.Pushes).ConfigureAwait(false);
        var deployments = await writer.ResolveDeploymentsAsync(rewalked, request.Deployments).ConfigureAwait(false);
        var saved = request.Saved(deployments.Values);
        await writer.SaveAsync(deployments, () =>
        {
            writer.UpsertIncidents(request.Incidents);
            writer.AddToFeed(saved);
        }).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return events.Count - request.Pushes.Count;
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

        /// <summary>The systems whose lock the request takes: those of its deployments, incidents and pushes.</summary>
        public HashSet<string> Locked { get; } = new(StringComparer.Ordinal);

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
                        request.Locked.Add(push.System);
                        break;
                    case Deployment deployment:
                        ArgumentNullException.ThrowIfNull(deployment.System);
                        ArgumentNullException.ThrowIfNull(deployment.Identifier);
                        ArgumentNullException.ThrowIfNull(deployment.Environment);
                        request.Deployments.Add(deployment);
                        request.Locked.Add(deployment.System);
                        break;
                    case Incident incident:
                        ArgumentNullException.ThrowIfNull(incident.System);
                        ArgumentNullException.ThrowIfNull(incident.Identifier);
                        var incidentKey = (incident.System, incident.Identifier);
                        var folded = request.Incidents.TryGetValue(incidentKey, out var earlier)
                            ? (incident.TimestampCreated, incident.TimestampResolved ?? earlier.Resolved, incident.Deployment ?? earlier.Deployment)
                            : (incident.TimestampCreated, incident.TimestampResolved, incident.Deployment);
                        request.Incidents[incidentKey] = folded;
                        request.Locked.Add(incident.System);
                        break;
                    default:
                        throw new ArgumentException($"Event {i} is of unknown type {e?.GetType().Name ?? "null"}.", nameof(events));
                }
            }

            ct.ThrowIfCancellationRequested();
            return request;
        }

        /// <summary>What the request saved, for the feed: each key's final state, changes first, then deployments, then incidents.</summary>
        public List<Event> Saved(IEnumerable<DeploymentVersion> deployments)
        {
            var saved = new List<Event>(Changes.Count + Deployments.Count + Incidents.Count);
            foreach (var ((system, id), ts) in Changes)
            {
                saved.Add(new Change(system, id, ts));
            }

            foreach (var d in deployments)
            {
                saved.Add(new Deployment(d.System, d.Id, d.Ts, d.Env, d.Result, d.Changes, d.Teams, d.Commit, d.Rework));
            }

            foreach (var ((system, id), (created, resolved, deployment)) in Incidents)
            {
                saved.Add(new Incident(system, id, created, resolved, deployment));
            }

            return saved;
        }
    }

    private readonly record struct DeploymentKey(string System, string Env, string Id);

    /// <summary>A deployment as it will be stored: <see cref="Changes"/> as listed or taken from the chain.</summary>
    /// <param name="Gap">The commit where the chain walk found no push, if it stopped there.</param>
    private sealed record DeploymentVersion(
        string System, string Env, string Id, long Ts, DeploymentResult Result, bool Rework, string? Commit, IReadOnlyList<string> Teams, List<string> Changes, string? Gap)
    {
        public DeploymentKey Key => new(System, Env, Id);

        public bool Ok => Result == DeploymentResult.Success;
    }

    /// <summary>The statements of one request, on the caller's connection and transaction.</summary>
    private sealed class Writer(NpgsqlConnection connection, NpgsqlTransaction transaction, long org, CancellationToken ct) : IDisposable
    {
        private NpgsqlBatch? _pending;

        // The encoded feed row, in a rented buffer given back when the writer is disposed.
        private PostgresFeed.Encoded? _feed;

        /// <summary>Takes the lock of each of the systems.</summary>
        public void LockSystems(HashSet<string> systems)
        {
            if (systems.Count == 0)
            {
                return;
            }

            // One transaction-scoped lock per system, taken in the order of the lock keys (the sorted
            // subquery feeds the aggregate row by row): two requests sharing systems queue on the first
            // shared one instead of each holding one the other wants. Hash collisions only make two
            // systems share a lock. The statement writes nothing, so the transaction id comes later.
            const string Sql = """
                SELECT count(pg_advisory_xact_lock(k)) FROM (
                    SELECT DISTINCT hashtextextended(@org::text || '/' || s, 0) AS k FROM unnest(@systems::text[]) AS s
                    ORDER BY k) AS keys
                """;
            Queue(Sql, ("systems", (object?)systems.ToArray()));
        }

        /// <summary>
        /// Stores the deployments, then queues <paramref name="queueRest"/>: first as keys never stored,
        /// under a savepoint; should one be stored already, rolled back to it and upserted.
        /// </summary>
        /// <remarks>
        /// <para>Most requests bring only new keys (a pipeline reports each deployment once), and a plain
        /// insert of a new row costs about half as much as an upsert's speculative insertion (which probes
        /// the key, inserts, and logs the insertion's confirmation). A retried or re-sent request then
        /// costs the rolled-back insert on top of its upsert.</para>
        /// <para>The deployments are sent first; the rest (the feed row) is encoded while the database
        /// inserts them.</para>
        /// </remarks>
        public async Task SaveAsync(Dictionary<DeploymentKey, DeploymentVersion> deployments, Action queueRest)
        {
            if (deployments.Count > 0)
            {
                Queue("SAVEPOINT new_keys");
                InsertDeployments(deployments, orUpdate: false);
                var deploymentsSent = TryFlushAsNewAsync();
                Queue("RELEASE SAVEPOINT new_keys");
                queueRest();
                if (await deploymentsSent.ConfigureAwait(false))
                {
                    await FlushAsync().ConfigureAwait(false);
                    return;
                }

                // What was queued after the failed statement did not run.
                await DropPendingAsync().ConfigureAwait(false);
                Queue("ROLLBACK TO SAVEPOINT new_keys");
                InsertDeployments(deployments, orUpdate: true);
            }

            queueRest();
            await FlushAsync().ConfigureAwait(false);
        }

        /// <summary>Sends the queued statements; false when the insert as new met a stored key (the transaction then waits for its rollback to the savepoint).</summary>
        private async Task<bool> TryFlushAsNewAsync()
        {
            try
            {
                await FlushAsync().ConfigureAwait(false);
                return true;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.TableName == "deployments")
            {
                return false;
            }
        }

        private void InsertDeployments(Dictionary<DeploymentKey, DeploymentVersion> deployments, bool orUpdate)
        {
            if (deployments.Count == 0)
            {
                return;
            }

            // No row lock is needed on top: the system's advisory lock keeps other writers out.
            const string Sql = """
                INSERT INTO deployments AS d (org, system, env, id, ts, result, rework, commit_sha, teams, changes, chain_gap)
                SELECT @org, u.system, u.env, u.id, u.ts, u.result, u.rework, u.commit_sha, u.teams::json, u.changes::json, u.chain_gap
                FROM unnest(@systems::text[], @envs::text[], @ids::text[], @times::bigint[], @results::smallint[],
                            @reworks::boolean[], @commits::text[], @teams::text[], @changes::text[], @gaps::text[])
                    AS u(system, env, id, ts, result, rework, commit_sha, teams, changes, chain_gap)
                """;
            const string OrUpdate = """

                ON CONFLICT (org, system, env, id) DO UPDATE SET
                    ts = excluded.ts, result = excluded.result, rework = excluded.rework, commit_sha = excluded.commit_sha,
                    teams = excluded.teams, changes = excluded.changes, chain_gap = excluded.chain_gap
                """;
            var versions = deployments.Values;
            Queue(
                orUpdate ? Sql + OrUpdate : Sql,
                ("systems", versions.Select(v => v.System).ToArray()),
                ("envs", versions.Select(v => v.Env).ToArray()),
                ("ids", versions.Select(v => v.Id).ToArray()),
                ("times", versions.Select(v => v.Ts).ToArray()),
                ("results", versions.Select(v => (short)v.Result).ToArray()),
                ("reworks", versions.Select(v => v.Rework).ToArray()),
                ("commits", versions.Select(v => v.Commit).ToArray()),
                ("teams", versions.Select(v => v.Teams.Count == 0 ? "[]" : JsonSerializer.Serialize(v.Teams, StorageJson.Relaxed.IReadOnlyListString)).ToArray()),
                ("changes", versions.Select(v => JsonSerializer.Serialize(v.Changes, StorageJson.Relaxed.ListString)).ToArray()),
                ("gaps", versions.Select(v => v.Gap).ToArray()));
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
                await FlushAsync().ConfigureAwait(false);
                var before = ChainWalk.IsNoCommit(push.Before) ? null : push.Before;
                var commits = DistinctValues.InOrder(push.Commits ?? []);
                var shas = DistinctValues.InOrder([.. commits, push.After]);
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
                            reader.GetBoolean(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                            JsonSerializer.Deserialize(reader.GetString(6), StorageJson.Relaxed.ListString) ?? [], [],
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
                    deployment.Commit, deployment.Teams ?? [],
                    DistinctValues.InOrder(deployment.Changes ?? []), Gap: null);
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

        /// <summary>Upserts the folded incidents.</summary>
        public void UpsertIncidents(Dictionary<(string System, string Id), (long Created, long? Resolved, string? Deployment)> incidents)
        {
            if (incidents.Count == 0)
            {
                return;
            }

            // A push replaces the creation time, and the resolution and named deployment only when given.
            const string Sql = """
                INSERT INTO incidents AS i (org, system, id, created, resolved, deployment)
                SELECT @org, u.system, u.id, u.created, u.resolved, u.deployment
                FROM unnest(@systems::text[], @ids::text[], @created::bigint[], @resolved::bigint[], @deployments::text[])
                    AS u(system, id, created, resolved, deployment)
                ON CONFLICT (org, system, id) DO UPDATE SET
                    created = excluded.created,
                    resolved = coalesce(excluded.resolved, i.resolved),
                    deployment = coalesce(excluded.deployment, i.deployment)
                """;
            var keys = incidents.Keys.ToList();
            Queue(
                Sql,
                ("systems", keys.Select(k => k.System).ToArray()),
                ("ids", keys.Select(k => k.Id).ToArray()),
                ("created", keys.Select(k => incidents[k].Created).ToArray()),
                ("resolved", keys.Select(k => incidents[k].Resolved).ToArray()),
                ("deployments", keys.Select(k => incidents[k].Deployment).ToArray()));
        }

        /// <summary>Adds the request's saved events to the feed, as one row under this transaction's id; kept for good when it holds changes, their only store.</summary>
        public void AddToFeed(List<Event> saved)
        {
            if (saved.Count == 0)
            {
                return;
            }

            const string Sql = "INSERT INTO event_feed (org, events, holds_changes) VALUES (@org, @events, @holdsChanges)";
            _feed ??= PostgresFeed.Encode(saved);
            Queue(Sql, ("events", _feed.Bytes), ("holdsChanges", saved.Exists(e => e is Change)));
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
            await FlushAsync().ConfigureAwait(false);
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

        /// <summary>Adds a statement to those sent together at the next read or at <see cref="FlushAsync"/>: one round trip for all the writes of a request.</summary>
        private void Queue(string sql, params (string Name, object? Value)[] parameters)
        {
            _pending ??= new NpgsqlBatch(connection, transaction);
            _pending.BatchCommands.Add(BatchCommand(sql, parameters));
        }

        /// <summary>Sends the queued statements; a read that needs them done (the locks first of all) calls this before it.</summary>
        public async Task FlushAsync()
        {
            if (_pending is { } batch)
            {
                _pending = null;
                try
                {
                    await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
                finally
                {
                    await batch.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        private async Task DropPendingAsync()
        {
            if (_pending is { } batch)
            {
                _pending = null;
                await batch.DisposeAsync().ConfigureAwait(false);
            }
        }

        /// <summary>Gives back the feed row's buffer.</summary>
        public void Dispose() => _feed?.Dispose();

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
