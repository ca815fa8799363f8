using System.Text.Json;
using Dapper;
using Npgsql;
using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Storage.Postgres;

/// <summary>The lists and the deployment page: newest first, a page at a time, each page costing its own rows.</summary>
/// <remarks>
/// The same reads as the SQLite store's, row for row: keyset paging on (time, system, identifier)
/// descending, ties broken by the ordinal ("C") order of the text keys. System filters travel as one
/// <c>text[]</c> parameter (Dapper hands arrays to Npgsql whole).
/// </remarks>
public sealed partial class PostgresStore
{
    // The organization's systems, kept by the event writer (`systems`). Defines the CTE `names`.
    private const string SystemNamesSql = """
        WITH names(system) AS (SELECT system FROM systems WHERE org = @Org)
        """;

    /// <inheritdoc />
    public async Task<IReadOnlyList<SystemSummary>> ListSystemsAsync(long organization, string environment, CancellationToken ct)
    {
        // The explicit collation keeps the ordinal order whatever the CTE's column inherits.
        const string Sql = SystemNamesSql + """
             SELECT n.system AS Name,
                   (SELECT count(*) FROM deployments x WHERE x.org = @Org AND x.system = n.system AND x.env = @Env AND x.result = 0) AS Deployments,
                   (SELECT max(ts) FROM deployments x WHERE x.org = @Org AND x.system = n.system AND x.env = @Env AND x.result = 0) AS LastDeploymentAt
            FROM names n
            ORDER BY n.system COLLATE "C"
            """;
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<SystemDbRow>(new CommandDefinition(
            Sql, new { Org = organization, Env = environment }, cancellationToken: ct)).ConfigureAwait(false);
        return [.. rows.Select(r => new SystemSummary(r.Name, (int)r.Deployments, r.LastDeploymentAt))];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListSystemNamesAsync(long organization, CancellationToken ct)
    {
        const string Sql = SystemNamesSql + """ SELECT system FROM names ORDER BY system COLLATE "C" """;
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var names = await connection.QueryAsync<string>(new CommandDefinition(Sql, new { Org = organization }, cancellationToken: ct)).ConfigureAwait(false);
        return [.. names];
    }

    /// <inheritdoc />
    public async Task<ListPage<DeploymentRow>> ListDeploymentsAsync(long organization, ListQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = $"""
            SELECT pk AS Pk, system AS System, env AS Env, id AS Id, ts AS Ts, result AS Result, rework AS Rework,
                   commit_sha AS CommitSha, teams::text AS Teams, jsonb_array_length(changes) AS Changes, incidents AS Incidents
            FROM deployments
            WHERE org = @Org AND env = @Env AND ts >= @From AND ts < @To {SystemFilter(query)} {After(query, "ts", "system", "id")}
            ORDER BY ts DESC, system DESC, id DESC
            LIMIT @Limit
            """;
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<StoredDeploymentRow>(new CommandDefinition(sql, Parameters(organization, query), cancellationToken: ct))
            .ConfigureAwait(false)).ToList();
        var items = await ToDeploymentRowsAsync(connection, organization, query.Environment, rows, ct).ConfigureAwait(false);
        return new ListPage<DeploymentRow>(
            items, NextPosition(rows.Count, query, items.LastOrDefault() is { } last ? new ListPosition(last.Timestamp, last.System, last.Identifier) : null));
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
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var items = (await connection.QueryAsync<IncidentDbRow>(new CommandDefinition(sql, Parameters(organization, query), cancellationToken: ct))
            .ConfigureAwait(false)).Select(r => r.ToRow()).ToList();
        return new ListPage<IncidentRow>(
            items, NextPosition(items.Count, query, items.LastOrDefault() is { } last ? new ListPosition(last.Created, last.System, last.Identifier) : null));
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
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var items = (await connection.QueryAsync<ChangeDbRow>(new CommandDefinition(sql, Parameters(organization, query), cancellationToken: ct))
            .ConfigureAwait(false)).Select(r => new ChangeRow(r.System, r.Identifier, r.Timestamp, r.FirstDeployment, r.DeployedAt, r.LeadTimeSeconds)).ToList();
        return new ListPage<ChangeRow>(
            items, NextPosition(items.Count, query, items.LastOrDefault() is { } last ? new ListPosition(last.Timestamp, last.System, last.Identifier) : null));
    }

    /// <inheritdoc />
    public async Task<DeploymentDetail?> FindDeploymentAsync(
        long organization, string system, string environment, string identifier, CancellationToken ct)
    {
        const string Sql = """
            SELECT pk AS Pk, system AS System, env AS Env, id AS Id, ts AS Ts, result AS Result, rework AS Rework,
                   commit_sha AS CommitSha, teams::text AS Teams, jsonb_array_length(changes) AS Changes, incidents AS Incidents
            FROM deployments
            WHERE org = @Org AND system = @System AND env = @Env AND id = @Id
            """;
        // The changes in the order the deployment listed them (WITH ORDINALITY numbers the array's elements).
        const string ChangesSql = """
            SELECT j.value AS Identifier, c.ts AS Timestamp, f.dep = @Pk AS FirstDeployment,
                   CASE WHEN f.dep = @Pk THEN f.deployed_at - c.ts END AS LeadTimeSeconds
            FROM deployments d
            CROSS JOIN LATERAL jsonb_array_elements_text(d.changes) WITH ORDINALITY AS j(value, position)
            LEFT JOIN changes c ON c.org = d.org AND c.system = d.system AND c.id = j.value
            LEFT JOIN first_deployments f ON f.org = d.org AND f.system = d.system AND f.change = j.value AND f.env = d.env
            WHERE d.pk = @Pk
            ORDER BY j.position
            """;
        const string IncidentsSql = """
            SELECT i.system AS System, i.id AS Identifier, i.created AS Created, i.resolved AS Resolved,
                   i.deployment AS Deployment, @Id::text AS AttributedDeployment
            FROM incident_attributions a
            JOIN incidents i ON i.org = a.org AND i.system = a.system AND i.id = a.incident
            WHERE a.org = @Org AND a.system = @System AND a.env = @Env AND a.dep = @Pk
            ORDER BY i.created DESC, i.id DESC
            """;
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
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
            [.. changes.Select(c => new DeploymentChange(c.Identifier, c.Timestamp, c.LeadTimeSeconds, c.FirstDeployment == true))],
            [.. incidents.Select(r => r.ToRow())]);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Incident>> FindIncidentsAsync(long organization, string identifier, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        const string Sql = """
            SELECT system AS System, id AS Identifier, created AS TimestampCreated, resolved AS TimestampResolved, deployment AS Deployment
            FROM incidents
            WHERE org = @Organization AND id = @Identifier
            ORDER BY system
            """;
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<IncidentLookupRow>(
            new CommandDefinition(Sql, new { Organization = organization, Identifier = identifier }, cancellationToken: ct)).ConfigureAwait(false);
        return [.. rows.Select(r => new Incident(r.System, r.Identifier, r.TimestampCreated, r.TimestampResolved, r.Deployment))];
    }

    /// <summary>Adds what a list row shows beyond the table: its changes' median lead time and its incidents.</summary>
    /// <remarks>Two queries for the whole page, each row found through its own index range (the page's keys travel as arrays).</remarks>
    private static async Task<List<DeploymentRow>> ToDeploymentRowsAsync(
        NpgsqlConnection connection, long organization, string environment, List<StoredDeploymentRow> rows, CancellationToken ct)
    {
        // The changes a deployment was first to ship sit in first_deployments under its own time; an
        // incident's attribution names the deployment.
        const string LeadSql = """
            SELECT f.dep AS Pk, f.deployed_at - f.changed_at AS Seconds
            FROM unnest(@Pks, @Systems, @Times) AS r(pk, system, ts)
            JOIN first_deployments f
              ON f.org = @Org AND f.system = r.system AND f.env = @Env AND f.deployed_at = r.ts AND f.dep = r.pk
            WHERE f.changed_at IS NOT NULL
            """;
        const string IncidentsSql = """
            SELECT a.dep AS Pk, a.incident AS Incident
            FROM unnest(@Pks, @Systems) AS r(pk, system)
            JOIN incident_attributions a ON a.org = @Org AND a.system = r.system AND a.env = @Env AND a.dep = r.pk
            ORDER BY a.incident
            """;
        var successful = rows.Where(r => r.Result == (short)DeploymentResult.Success).ToList();
        var attributed = rows.Where(r => r.Incidents > 0).ToList();
        var leads = (successful.Count == 0
            ? []
            : await connection.QueryAsync<(long Pk, long Seconds)>(new CommandDefinition(
                LeadSql,
                new
                {
                    Org = organization,
                    Env = environment,
                    Pks = successful.Select(r => r.Pk).ToArray(),
                    Systems = successful.Select(r => r.System).ToArray(),
                    Times = successful.Select(r => r.Ts).ToArray(),
                },
                cancellationToken: ct)).ConfigureAwait(false)).ToLookup(l => l.Pk, l => l.Seconds);
        var incidents = (attributed.Count == 0
            ? []
            : await connection.QueryAsync<(long Pk, string Incident)>(new CommandDefinition(
                IncidentsSql,
                new
                {
                    Org = organization,
                    Env = environment,
                    Pks = attributed.Select(r => r.Pk).ToArray(),
                    Systems = attributed.Select(r => r.System).ToArray(),
                },
                cancellationToken: ct)).ConfigureAwait(false)).ToLookup(i => i.Pk, i => i.Incident);
        return [.. rows.Select(row => new DeploymentRow(
            row.System, row.Env, row.Id, row.Ts, (DeploymentResult)row.Result, row.Rework, row.CommitSha,
            JsonSerializer.Deserialize(row.Teams, Sqlite.StorageJson.Relaxed.ListString) ?? [],
            row.Changes,
            Percentiles.Median([.. leads[row.Pk].Order()]),
            [.. incidents[row.Pk]]))];
    }

    private static string SystemFilter(ListQuery query, string column = "system")
        => query.Systems.Count == 0 ? "" : $"AND {column} = ANY(@Systems)";

    // Keyset paging: rows strictly after the previous page's last one in (time, system, id) descending
    // order. The row comparison compares the text keys in the columns' "C" collation.
    private static string After(ListQuery query, string time, string system, string id)
        => query.After is null ? "" : $"AND ({time}, {system}, {id}) < (@AfterTime, @AfterSystem, @AfterId)";

    private static object Parameters(long organization, ListQuery query) => new
    {
        Org = organization,
        Env = query.Environment,
        query.From,
        query.To,
        Systems = query.Systems.ToArray(),
        Limit = query.Limit,
        AfterTime = query.After?.Timestamp,
        AfterSystem = query.After?.System,
        AfterId = query.After?.Identifier,
    };

    // A full page may have more after it; a short one is the last.
    private static ListPosition? NextPosition(int count, ListQuery query, ListPosition? last) => count == query.Limit ? last : null;

    // Rows are read into settable properties typed as PostgreSQL returns them (smallint, integer,
    // boolean), so Dapper converts nothing.
    private sealed class SystemDbRow
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

        public short Result { get; set; }

        public bool Rework { get; set; }

        public string? CommitSha { get; set; }

        public string Teams { get; set; } = "[]";

        public int Changes { get; set; }

        public int Incidents { get; set; }
    }

    private sealed class StoredDeploymentChange
    {
        public string Identifier { get; set; } = "";

        public long? Timestamp { get; set; }

        public bool? FirstDeployment { get; set; }

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

    private sealed record IncidentLookupRow(string System, string Identifier, long TimestampCreated, long? TimestampResolved, string? Deployment);
}
