using System.Text.Json;
using Dapper;
using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Storage.Sqlite;

/// <summary>The lists and the deployment page: newest first, a page at a time, each page costing its own rows.</summary>
public sealed partial class SqliteStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<SystemSummary>> ListSystemsAsync(long organization, string environment, CancellationToken ct)
    {
        var sql = SystemNamesSql + """
             SELECT n.system AS Name,
                   (SELECT count(*) FROM deployments x WHERE x.org = @Org AND x.system = n.system AND x.env = @Env AND x.result = 0) AS Deployments,
                   (SELECT max(ts) FROM deployments x WHERE x.org = @Org AND x.system = n.system AND x.env = @Env AND x.result = 0) AS LastDeploymentAt
            FROM names n
            ORDER BY n.system
            """;
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<SystemRow>(new CommandDefinition(
            sql, new { Org = organization, Env = environment }, cancellationToken: ct)).ConfigureAwait(false);
        return rows.Select(r => new SystemSummary(r.Name, (int)r.Deployments, r.LastDeploymentAt)).ToList();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListSystemNamesAsync(long organization, CancellationToken ct)
    {
        var sql = SystemNamesSql + " SELECT system FROM names ORDER BY system";
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        return (await connection.QueryAsync<string>(new CommandDefinition(sql, new { Org = organization }, cancellationToken: ct)).ConfigureAwait(false)).ToList();
    }

    /// <inheritdoc />
    public async Task<ListPage<DeploymentRow>> ListDeploymentsAsync(long organization, ListQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = $"""
            SELECT pk AS Pk, system AS System, env AS Env, id AS Id, ts AS Ts, result AS Result, rework AS Rework,
                   commit_sha AS CommitSha, teams AS Teams, json_array_length(changes) AS Changes, incidents AS Incidents
            FROM deployments
            WHERE org = @Org AND env = @Env AND ts >= @From AND ts < @To {SystemFilter(query)} {After(query, "ts", "system", "id")}
            ORDER BY ts DESC, system DESC, id DESC
            LIMIT @Limit
            """;
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<StoredDeploymentRow>(new CommandDefinition(sql, Parameters(organization, query), cancellationToken: ct))
            .ConfigureAwait(false)).ToList();
        var items = await ToDeploymentRowsAsync(connection, organization, query.Environment, rows, ct).ConfigureAwait(false);

        return new ListPage<DeploymentRow>(items, NextPosition(rows.Count, query, items.LastOrDefault() is { } last ? new ListPosition(last.Timestamp, last.System, last.Identifier) : null));
    }

    /// <inheritdoc />
    public async Task<ListPage<IncidentRow>> ListIncidentsAsync(long organization, ListQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = $"""
            SELECT i.system AS System, i.id AS Identifier, i.created AS Created, i.resolved AS Resolved,
                   i.deployment AS Deployment, d.id AS AttributedDeployment
            FROM incidents i
            LEFT JOIN incident_attributions a ON a.org = i.org AND a.system = i.system AND a.incident = i.id AND a.env = @Env
            LEFT JOIN deployments d ON d.pk = a.dep
            WHERE i.org = @Org AND i.created >= @From AND i.created < @To {SystemFilter(query, "i.system")} {After(query, "i.created", "i.system", "i.id")}
            ORDER BY i.created DESC, i.system DESC, i.id DESC
            LIMIT @Limit
            """;
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        var items = (await connection.QueryAsync<IncidentDbRow>(new CommandDefinition(sql, Parameters(organization, query), cancellationToken: ct))
            .ConfigureAwait(false)).Select(r => r.ToRow()).ToList();
        return new ListPage<IncidentRow>(items, NextPosition(items.Count, query, items.LastOrDefault() is { } last ? new ListPosition(last.Created, last.System, last.Identifier) : null));
    }

    /// <inheritdoc />
    public async Task<ListPage<ChangeRow>> ListChangesAsync(long organization, ListQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = $"""
            SELECT c.system AS System, c.id AS Identifier, c.ts AS Timestamp, d.id AS FirstDeployment, f.deployed_at AS DeployedAt,
                   f.deployed_at - c.ts AS LeadTimeSeconds
            FROM changes c
            LEFT JOIN first_deployments f ON f.org = c.org AND f.system = c.system AND f.change = c.id AND f.env = @Env
            LEFT JOIN deployments d ON d.pk = f.dep
            WHERE c.org = @Org AND c.ts >= @From AND c.ts < @To {SystemFilter(query, "c.system")} {After(query, "c.ts", "c.system", "c.id")}
            ORDER BY c.ts DESC, c.system DESC, c.id DESC
            LIMIT @Limit
            """;
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        var items = (await connection.QueryAsync<ChangeDbRow>(new CommandDefinition(sql, Parameters(organization, query), cancellationToken: ct))
            .ConfigureAwait(false)).Select(r => new ChangeRow(r.System, r.Identifier, r.Timestamp, r.FirstDeployment, r.DeployedAt, r.LeadTimeSeconds)).ToList();
        return new ListPage<ChangeRow>(items, NextPosition(items.Count, query, items.LastOrDefault() is { } last ? new ListPosition(last.Timestamp, last.System, last.Identifier) : null));
    }

    /// <inheritdoc />
    public async Task<DeploymentDetail?> FindDeploymentAsync(
        long organization, string system, string environment, string identifier, CancellationToken ct)
    {
        const string Sql = """
            SELECT pk AS Pk, system AS System, env AS Env, id AS Id, ts AS Ts, result AS Result, rework AS Rework,
                   commit_sha AS CommitSha, teams AS Teams, json_array_length(changes) AS Changes, incidents AS Incidents
            FROM deployments
            WHERE org = @Org AND system = @System AND env = @Env AND id = @Id
            """;
        const string ChangesSql = """
            SELECT j.value AS Identifier, c.ts AS Timestamp, f.dep = @Pk AS FirstDeployment,
                   CASE WHEN f.dep = @Pk THEN f.deployed_at - c.ts END AS LeadTimeSeconds
            FROM deployments d
            JOIN json_each(d.changes) j
            LEFT JOIN changes c ON c.org = d.org AND c.system = d.system AND c.id = j.value
            LEFT JOIN first_deployments f ON f.org = d.org AND f.system = d.system AND f.change = j.value AND f.env = d.env
            WHERE d.pk = @Pk
            ORDER BY j.key
            """;
        const string IncidentsSql = """
            SELECT i.system AS System, i.id AS Identifier, i.created AS Created, i.resolved AS Resolved,
                   i.deployment AS Deployment, @Id AS AttributedDeployment
            FROM incident_attributions a
            JOIN incidents i ON i.org = a.org AND i.system = a.system AND i.id = a.incident
            WHERE a.org = @Org AND a.system = @System AND a.env = @Env AND a.dep = @Pk
            ORDER BY i.created DESC, i.id DESC
            """;
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<StoredDeploymentRow>(new CommandDefinition(
            Sql, new { Org = organization, System = system, Env = environment, Id = identifier }, cancellationToken: ct)).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var deployment = (await ToDeploymentRowsAsync(connection, organization, environment, [row], ct).ConfigureAwait(false))[0];
        var changes = await connection.QueryAsync<StoredDeploymentChange>(new CommandDefinition(
            ChangesSql, new { row.Pk }, cancellationToken: ct)).ConfigureAwait(false);
        var incidents = await connection.QueryAsync<IncidentDbRow>(new CommandDefinition(
            IncidentsSql, new { Org = organization, System = system, Env = environment, row.Pk, Id = identifier }, cancellationToken: ct)).ConfigureAwait(false);
        return new DeploymentDetail(
            deployment,
            changes.Select(c => new DeploymentChange(c.Identifier, c.Timestamp, c.LeadTimeSeconds, c.FirstDeployment == 1)).ToList(),
            incidents.Select(r => r.ToRow()).ToList());
    }

    /// <summary>Adds what a list row shows beyond the table: its changes' median lead time and its incidents.</summary>
    /// <remarks>Two queries for the whole page, each row found through its own index range.</remarks>
    private static async Task<List<DeploymentRow>> ToDeploymentRowsAsync(
        Microsoft.Data.Sqlite.SqliteConnection connection, long organization, string environment, List<StoredDeploymentRow> rows, CancellationToken ct)
    {
        // The changes a deployment was first to ship sit in first_deployments under its own time; an
        // incident's attribution names the deployment. The CROSS JOINs keep the page's rows outermost;
        // without the INDEXED BY, SQLite would range over the system's whole (org, system) key prefix.
        const string LeadSql = """
            SELECT r.value ->> 0 AS Pk, f.deployed_at - f.changed_at AS Seconds
            FROM json_each(@Rows) r
            CROSS JOIN first_deployments f INDEXED BY first_deployments_window
            WHERE f.org = @Org AND f.system = r.value ->> 1 AND f.env = @Env AND f.deployed_at = r.value ->> 2
              AND f.dep = r.value ->> 0 AND f.changed_at IS NOT NULL
            """;
        const string IncidentsSql = """
            SELECT a.dep AS Pk, a.incident AS Incident
            FROM json_each(@Rows) r
            CROSS JOIN incident_attributions a
            WHERE a.org = @Org AND a.system = r.value ->> 1 AND a.env = @Env AND a.dep = r.value ->> 0
            ORDER BY a.incident
            """;
        var successful = rows.Where(r => r.Result == 0).Select(r => new object[] { r.Pk, r.System, r.Ts }).ToList();
        var failed = rows.Where(r => r.Incidents > 0).Select(r => new object[] { r.Pk, r.System, r.Ts }).ToList();
        var leads = (successful.Count == 0
            ? []
            : await connection.QueryAsync<(long Pk, long Seconds)>(new CommandDefinition(LeadSql,
                new { Org = organization, Env = environment, Rows = JsonSerializer.Serialize(successful, StorageJson.Relaxed.ListObjectArray) },
                cancellationToken: ct)).ConfigureAwait(false)).ToLookup(l => l.Pk, l => l.Seconds);
        var incidents = (failed.Count == 0
            ? []
            : await connection.QueryAsync<(long Pk, string Incident)>(new CommandDefinition(IncidentsSql,
                new { Org = organization, Env = environment, Rows = JsonSerializer.Serialize(failed, StorageJson.Relaxed.ListObjectArray) },
                cancellationToken: ct)).ConfigureAwait(false)).ToLookup(i => i.Pk, i => i.Incident);
        return rows.Select(row => new DeploymentRow(
            row.System, row.Env, row.Id, row.Ts, (DeploymentResult)row.Result, row.Rework != 0, row.CommitSha,
            JsonSerializer.Deserialize(row.Teams, StorageJson.Relaxed.ListString) ?? [],
            (int)row.Changes,
            Percentiles.Median(leads[row.Pk].Order().ToArray()),
            incidents[row.Pk].ToList())).ToList();
    }

    // Each table's distinct systems, by skipping from one to the next through its (org, system, …)
    // key: one seek per system, not a scan of the history. Defines the CTE `names`.
    private const string SystemNamesSql = """
        WITH RECURSIVE
          d(system) AS (SELECT min(system) FROM deployments WHERE org = @Org
                        UNION ALL SELECT (SELECT min(system) FROM deployments WHERE org = @Org AND system > d.system) FROM d WHERE d.system IS NOT NULL),
          c(system) AS (SELECT min(system) FROM changes WHERE org = @Org
                        UNION ALL SELECT (SELECT min(system) FROM changes WHERE org = @Org AND system > c.system) FROM c WHERE c.system IS NOT NULL),
          i(system) AS (SELECT min(system) FROM incidents WHERE org = @Org
                        UNION ALL SELECT (SELECT min(system) FROM incidents WHERE org = @Org AND system > i.system) FROM i WHERE i.system IS NOT NULL),
          names(system) AS (SELECT system FROM d WHERE system IS NOT NULL
                            UNION SELECT system FROM c WHERE system IS NOT NULL
                            UNION SELECT system FROM i WHERE system IS NOT NULL)
        """;

    private static string SystemFilter(ListQuery query, string column = "system")
        => query.Systems.Count == 0 ? "" : $"AND {column} IN (SELECT value FROM json_each(@Systems))";

    // Keyset paging: rows strictly after the previous page's last one in (time, system, id) descending order.
    private static string After(ListQuery query, string time, string system, string id)
        => query.After is null ? "" : $"AND ({time}, {system}, {id}) < (@AfterTime, @AfterSystem, @AfterId)";

    private static object Parameters(long organization, ListQuery query) => new
    {
        Org = organization,
        Env = query.Environment,
        query.From,
        query.To,
        Systems = JsonSerializer.Serialize(query.Systems, StorageJson.Relaxed.IReadOnlyListString),
        Limit = query.Limit,
        AfterTime = query.After?.Timestamp,
        AfterSystem = query.After?.System,
        AfterId = query.After?.Identifier,
    };

    // A full page may have more after it; a short one is the last.
    private static ListPosition? NextPosition(int count, ListQuery query, ListPosition? last) => count == query.Limit ? last : null;

    // Rows are read into settable properties: Dapper converts each value by the property's type, where
    // constructor matching would need SQLite's (untyped) expression columns to come back typed.
    private sealed class SystemRow
    {
        public string Name { get; set; } = "";

        public long Deployments { get; set; }

        public long? LastDeploymentAt { get; set; }
    }

    private sealed class StoredDeploymentRow
    {
        public long Pk { get; set; }

        public string System { get; set; } = "";

        public string Env { get; set; } = "";

        public string Id { get; set; } = "";

        public long Ts { get; set; }

        public long Result { get; set; }

        public long Rework { get; set; }

        public string? CommitSha { get; set; }

        public string Teams { get; set; } = "[]";

        public long Changes { get; set; }

        public long Incidents { get; set; }
    }

    private sealed class StoredDeploymentChange
    {
        public string Identifier { get; set; } = "";

        public long? Timestamp { get; set; }

        public long? FirstDeployment { get; set; }

        public long? LeadTimeSeconds { get; set; }
    }

    private sealed class IncidentDbRow
    {
        public string System { get; set; } = "";

        public string Identifier { get; set; } = "";

        public long Created { get; set; }

        public long? Resolved { get; set; }

        public string? Deployment { get; set; }

        public string? AttributedDeployment { get; set; }

        public IncidentRow ToRow() => new(System, Identifier, Created, Resolved, Deployment, AttributedDeployment);
    }

    private sealed class ChangeDbRow
    {
        public string System { get; set; } = "";

        public string Identifier { get; set; } = "";

        public long Timestamp { get; set; }

        public string? FirstDeployment { get; set; }

        public long? DeployedAt { get; set; }

        public long? LeadTimeSeconds { get; set; }
    }
}
