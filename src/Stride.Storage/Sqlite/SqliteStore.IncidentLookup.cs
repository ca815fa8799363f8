using Dapper;
using Stride.Core.Events;

namespace Stride.Storage.Sqlite;

/// <summary>Finding incidents by identifier alone (<see cref="IEventStore.FindIncidentsAsync"/>).</summary>
public sealed partial class SqliteStore
{
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
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<IncidentLookupRow>(
            new CommandDefinition(Sql, new { Organization = organization, Identifier = identifier }, cancellationToken: ct)).ConfigureAwait(false);
        return [.. rows.Select(r => new Incident(r.System, r.Identifier, r.TimestampCreated, r.TimestampResolved, r.Deployment))];
    }

    private sealed record IncidentLookupRow(string System, string Identifier, long TimestampCreated, long? TimestampResolved, string? Deployment);
}
