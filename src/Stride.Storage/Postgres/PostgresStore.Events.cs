using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Dapper;
using Npgsql;
using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Storage.Postgres;

/// <summary>Events (<see cref="IEventStore"/>): the write path is <see cref="PostgresEventWriter"/>; the window reads are here.</summary>
public sealed partial class PostgresStore
{
    // The window reads, as on SQLite: one index range per system (and environment) that has deployed in
    // the environment, each row read from the index alone. A window can hold hundreds of thousands of
    // facts, so each read returns them in one row, not a row each: measured on the large dataset, the
    // per-row protocol work was most of a window read. Each column is a run of 8-byte big-endian
    // integers (int8send, joined) read in one piece: read as a bigint array, Npgsql does a nested read
    // per element, which was a fifth of the server's CPU samples for a 90-day window of all systems.
    // Several aggregates of one read see its rows in one order.

    // A missing time in those runs (no accepted time is that far back), and the same in SQL.
    private const long NoTime = long.MinValue;
    private const string NoTimeSql = "'-9223372036854775808'::bigint";

    // A deployment is one integer, ts * 4 + rework * 2 + failed.
    private const string DeploymentRuns =
        "SELECT coalesce(string_agg(int8send(d.ts * 4 + (CASE WHEN d.rework THEN 2 ELSE 0 END) + (CASE WHEN d.incidents > 0 THEN 1 ELSE 0 END)), ''), '')";

    // A change's first deployment, and its own time when it was pushed.
    private const string LeadTimeRuns =
        "SELECT coalesce(string_agg(int8send(f.deployed_at), ''), ''), coalesce(string_agg(int8send(coalesce(f.changed_at, " + NoTimeSql + ")), ''), '')";

    private const string DeploymentsSql = DeploymentRuns + """

        FROM system_environments se
        JOIN deployments d ON d.org = se.org AND d.system = se.system AND d.env = se.env
        WHERE se.org = @org AND se.env = @env
          AND d.result = 0 AND d.ts >= @from AND d.ts < @to
        """;

    // Changes first deployed in range.
    private const string LeadTimesSql = LeadTimeRuns + """

        FROM system_environments se
        JOIN first_deployments f ON f.org = se.org AND f.system = se.system AND f.env = se.env
        WHERE se.org = @org AND se.env = @env
          AND f.deployed_at >= @from AND f.deployed_at < @to
        """;

    // Incidents resolved in range, or created before `to` and unresolved at `to`. An incident resolved
    // after `to` but created before it lasted more than (resolved - to), so its resolution lies within the
    // organization's longest incident span after `to`: that bound keeps the scan to the range. Each half
    // takes a further condition on `i` from the read that uses it. Without @openAtEnd, only the
    // incidents resolved in range (a range inside a window read by day: PostgresStore.Days.cs).
    private const string IncidentArrays = "SELECT coalesce(string_agg(int8send(x.created), ''), ''), "
        + "coalesce(string_agg(int8send(coalesce(x.resolved, " + NoTimeSql + ")), ''), ''), "
        + "coalesce(string_agg(int8send(coalesce(x.deployed_at, " + NoTimeSql + ")), ''), '')";

    private const string ResolvedIncidents = """
        SELECT i.created, i.resolved, a.deployed_at
        FROM incidents i
        LEFT JOIN incident_attributions a ON a.org = i.org AND a.system = i.system AND a.incident = i.id AND a.env = @env
        WHERE i.org = @org AND i.resolved IS NOT NULL AND i.resolved >= @from
          AND i.resolved <= @to + (CASE WHEN @openAtEnd THEN coalesce((SELECT m.max_span FROM incident_spans m WHERE m.org = @org), 0) ELSE -1 END)
          AND (i.resolved < @to OR i.created < @to)
        """;

    // Open incidents created from @listFrom on (the facts' own read: all; read by day: those created in
    // the window); those created before it are only counted (WindowFacts.OpenBefore).
    private const string OpenIncidents = """
        SELECT i.created, i.resolved, a.deployed_at
        FROM incidents i
        LEFT JOIN incident_attributions a ON a.org = i.org AND a.system = i.system AND a.incident = i.id AND a.env = @env
        WHERE i.org = @org AND i.resolved IS NULL AND i.created >= @listFrom AND i.created < @to
        """;

    // Counted only when the read asks (@countOpenBefore): a read by day wants the count for its first range only.
    private const string OpenBeforeSql = "SELECT count(*)::int FROM incidents i WHERE @countOpenBefore AND i.org = @org AND i.resolved IS NULL AND i.created < @listFrom";

    private const string IncidentsSql = IncidentArrays + " FROM (" + ResolvedIncidents + "\nUNION ALL\n" + OpenIncidents + ") x";

    // The same reads for chosen systems, written as a loop over them (unnest, and LATERAL for the
    // incidents): one index range per system whatever their number and the window's length, so one
    // generic plan, made once per connection, suits every call. Planning each call took about as long
    // as running the three reads for one system (2.3 ms against 1.6 ms on medium).
    private const string DeploymentsOfSystemsSql = DeploymentRuns + """

        FROM unnest(@systems) AS s(system)
        JOIN deployments d ON d.org = @org AND d.system = s.system AND d.env = @env
        WHERE d.result = 0 AND d.ts >= @from AND d.ts < @to
        """;

    private const string LeadTimesOfSystemsSql = LeadTimeRuns + """

        FROM unnest(@systems) AS s(system)
        JOIN first_deployments f ON f.org = @org AND f.system = s.system AND f.env = @env
        WHERE f.deployed_at >= @from AND f.deployed_at < @to
        """;

    private const string IncidentsOfSystemsSql = IncidentArrays + " FROM unnest(@systems) AS s(system) CROSS JOIN LATERAL ("
        + ResolvedIncidents + " AND i.system = s.system\nUNION ALL\n" + OpenIncidents + " AND i.system = s.system) x";

    private const string OpenBeforeOfSystemsSql = OpenBeforeSql + " AND i.system = ANY(@systems)";

    // The reads of a window as one statement: one row, six arrays and a count.
    private const string FactsSql = "SELECT * FROM (" + DeploymentsSql + ") d, (" + LeadTimesSql + ") l, (" + IncidentsSql + ") i, (" + OpenBeforeSql + ") o";

    private const string FactsOfSystemsSql = "SELECT * FROM (" + DeploymentsOfSystemsSql + ") d, (" + LeadTimesOfSystemsSql + ") l, ("
        + IncidentsOfSystemsSql + ") i, (" + OpenBeforeOfSystemsSql + ") o";

    /// <inheritdoc />
    /// <remarks>
    /// One transaction that first locks each system the request touches (see <see cref="PostgresEventWriter"/>);
    /// retried whole after a transient failure. Cancelling <paramref name="ct"/> before the commit rolls
    /// the request back.
    /// </remarks>
    public Task<int> AppendAsync(long organization, IReadOnlyList<Event> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return Task.FromResult(0);
        }

        return AppendAndPruneAsync();

        async Task<int> AppendAndPruneAsync()
        {
            var stored = await InTransactionAsync((connection, transaction) => PostgresEventWriter.AppendAsync(connection, transaction, organization, events, ct), ct)
                .ConfigureAwait(false);
            await PruneFactChangesAsync().ConfigureAwait(false);
            return stored;
        }
    }

    /// <inheritdoc />
    public Task<WindowFacts> ReadFactsAsync(long organization, long from, long to, string environment, IReadOnlyList<string> systems, CancellationToken ct)
        => ReadFactsAsync(organization, from, to, environment, systems, byDay: false, ct);

    /// <inheritdoc />
    /// <remarks>
    /// The whole days come summarized, from what this node keeps between reads when they have not
    /// changed (<see cref="ReadDaysAsync"/>). The incidents open since before the window are counted,
    /// not listed: a long history holds many, and listing them joined each to its attribution.
    /// </remarks>
    public Task<WindowFacts> ReadFactsByDayAsync(long organization, long from, long to, string environment, IReadOnlyList<string> systems, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(systems);
        ArgumentOutOfRangeException.ThrowIfLessThan(to, from);
        return DayFacts.WholeDays(from, to) is var (first, end) && end > first
            ? ReadDaysAsync(organization, from, to, EnvironmentName.Normalize(environment), Filter(systems), first, end, ct)
            : ReadFactsAsync(organization, from, to, environment, systems, byDay: true, ct);
    }

    /// <summary>The systems of a read, normalized and distinct; null for all.</summary>
    private static string[]? Filter(IReadOnlyList<string> systems)
        => systems.Count == 0 ? null : systems.Select(SystemName.Normalize).Distinct(StringComparer.Ordinal).ToArray();

    private async Task<WindowFacts> ReadFactsAsync(
        long organization, long from, long to, string environment, IReadOnlyList<string> systems, bool byDay, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(systems);
        ArgumentOutOfRangeException.ThrowIfLessThan(to, from);

        var filter = Filter(systems);
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);

        // The three reads are one statement, so they see one snapshot of the committed state without
        // a transaction of their own (a BEGIN and a COMMIT, one more round trip); with the settings
        // before it, in the same implicit transaction, it is one round trip.
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(ReadSettings(genericPlans: filter is not null));
        batch.BatchCommands.Add(FactsCommand(organization, EnvironmentName.Normalize(environment), filter, new Range(from, to, byDay ? from : long.MinValue, OpenAtEnd: true)));
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.NextResultAsync(ct).ConfigureAwait(false);   // past the settings
        return await ReadWindowAsync(reader, from, to, ct).ConfigureAwait(false);
    }

    /// <summary>Settings for the read's transaction only.</summary>
    /// <remarks>
    /// - Each read probes one index range per system, a few dozen distinct ranges: memoizing their
    ///   results cannot pay, and measured it made the lead-time read half as slow again (13.6 ms
    ///   against 7.6 ms for 19,000 rows).
    /// - With <paramref name="genericPlans"/>, the generic plans of the reads, made once per
    ///   connection (chosen systems: see DeploymentsOfSystemsSql; read by day: the reads of the
    ///   partial first and last days are small, and planning the reads of all systems took about
    ///   as long as a day's read, ~1.5 ms). Else plans for the actual window of all systems.
    /// - random_page_cost 1.1, as the writer's: the index pages are in memory, and at 4 the planner
    ///   hashed all of an organization's incident attributions to join a few dozen incidents.
    /// </remarks>
    private static NpgsqlBatchCommand ReadSettings(bool genericPlans)
    {
        var settings = new NpgsqlBatchCommand(
            "SELECT set_config('enable_memoize', 'off', true), set_config('plan_cache_mode', @plans, true), set_config('random_page_cost', '1.1', true)");
        settings.Parameters.AddWithValue("plans", genericPlans ? "force_generic_plan" : "force_custom_plan");
        return settings;
    }

    /// <summary>What one facts read covers.</summary>
    /// <param name="From">The first second.</param>
    /// <param name="To">The second after the last.</param>
    /// <param name="ListFrom">Open incidents created before this are counted, not listed.</param>
    /// <param name="OpenAtEnd">Whether incidents open at <paramref name="To"/> and resolved later are listed too.</param>
    /// <param name="CountOpenBefore">Whether the open incidents created before <paramref name="ListFrom"/> are counted (else the count is 0).</param>
    private readonly record struct Range(long From, long To, long ListFrom, bool OpenAtEnd, bool CountOpenBefore = true);

    /// <summary>The statement reading the facts of a range: one row of six runs of integers and a count.</summary>
    private static NpgsqlBatchCommand FactsCommand(long organization, string env, string[]? filter, Range range)
    {
        var command = new NpgsqlBatchCommand(filter is null ? FactsSql : FactsOfSystemsSql);
        command.Parameters.AddWithValue("org", organization);
        command.Parameters.AddWithValue("env", env);
        command.Parameters.AddWithValue("from", range.From);
        command.Parameters.AddWithValue("to", range.To);
        command.Parameters.AddWithValue("listFrom", range.ListFrom);
        command.Parameters.AddWithValue("openAtEnd", range.OpenAtEnd);
        command.Parameters.AddWithValue("countOpenBefore", range.CountOpenBefore);
        if (filter is not null)
        {
            command.Parameters.AddWithValue("systems", filter);
        }

        return command;
    }

    /// <summary>The facts of the reader's next row, written by a <see cref="FactsCommand"/>.</summary>
    private static async Task<WindowFacts> ReadWindowAsync(NpgsqlDataReader reader, long from, long to, CancellationToken ct)
    {
        await reader.ReadAsync(ct).ConfigureAwait(false);
        var packed = Integers(reader, 0);
        var deployments = new List<DeploymentFact>(packed.Length);
        foreach (var value in packed)
        {
            deployments.Add(new DeploymentFact(value >> 2, (value & 2) != 0, (value & 1) != 0));
        }

        var deployedAt = Integers(reader, 1);
        var changedAt = Integers(reader, 2);
        var leadTimes = new List<LeadTimeFact>(deployedAt.Length);
        for (var i = 0; i < deployedAt.Length; i++)
        {
            leadTimes.Add(new LeadTimeFact(deployedAt[i], Time(changedAt[i])));
        }

        var created = Integers(reader, 3);
        var resolved = Integers(reader, 4);
        var attributedAt = Integers(reader, 5);
        var incidents = new List<IncidentFact>(created.Length);
        for (var i = 0; i < created.Length; i++)
        {
            incidents.Add(new IncidentFact(created[i], Time(resolved[i]), Time(attributedAt[i])));
        }

        return new WindowFacts(from, to, deployments, leadTimes, incidents) { OpenBefore = reader.GetInt32(6) };
    }

    /// <summary>A column of 8-byte big-endian integers (int8send, joined), as integers.</summary>
    private static long[] Integers(NpgsqlDataReader reader, int ordinal)
    {
        var bytes = reader.GetFieldValue<byte[]>(ordinal);
        var values = MemoryMarshal.Cast<byte, long>(bytes).ToArray();
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(values, values);
        }

        return values;
    }

    private static long? Time(long value) => value == NoTime ? null : value;

    /// <inheritdoc />
    public async Task<LatestDeployment?> FindLatestDeploymentAsync(long organization, string system, string environment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(system);

        // Latest by timestamp, ties by the greatest identifier: the order incident attribution uses.
        const string Sql = """
            SELECT system AS System, env AS Environment, id AS Identifier, ts AS Timestamp, commit_sha AS "Commit"
            FROM deployments
            WHERE org = @Org AND system = @System AND env = @Env AND result = 0
            ORDER BY ts DESC, id DESC
            LIMIT 1
            """;
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<LatestDeploymentRow>(new CommandDefinition(
            Sql,
            new { Org = organization, System = SystemName.Normalize(system), Env = EnvironmentName.Normalize(environment) },
            cancellationToken: ct)).ConfigureAwait(false);
        return row is null ? null : new LatestDeployment(row.System, row.Environment, row.Identifier, row.Timestamp, row.Commit);
    }

    private sealed record LatestDeploymentRow(string System, string Environment, string Identifier, long Timestamp, string? Commit);
}
