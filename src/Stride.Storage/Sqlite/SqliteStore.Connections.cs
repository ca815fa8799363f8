using Dapper;

namespace Stride.Storage.Sqlite;

/// <summary>DevLake-compatible webhook connections (<see cref="IConnectionStore"/>).</summary>
/// <remarks>The connection and its key are written in one write of the single writer, so neither exists without the other.</remarks>
public sealed partial class SqliteStore
{
    /// <inheritdoc />
    public Task<ConnectionRecord> CreateConnectionAsync(long organization, string name, NewApiKey key, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(key);
        const string KeySql = """
            INSERT INTO api_keys (org, name, prefix, hash, scopes, created_at)
            VALUES (@Organization, @Name, @Prefix, @Hash, @Scopes, @CreatedAt)
            RETURNING id
            """;
        const string ConnectionSql = """
            INSERT INTO connections (org, name, key_id, created_at)
            VALUES (@Organization, @Name, @KeyId, @CreatedAt)
            RETURNING id
            """;
        var keyParameters = new
        {
            Organization = organization,
            key.Name,
            key.Prefix,
            key.Hash,
            Scopes = string.Join(' ', key.Scopes),
            key.CreatedAt,
        };
        return _writer.WriteAsync(
            (session, _) =>
            {
                var keyId = session.Connection.ExecuteScalar<long>(KeySql, keyParameters);
                var id = session.Connection.ExecuteScalar<long>(
                    ConnectionSql, new { Organization = organization, Name = name, KeyId = keyId, key.CreatedAt });
                return new ConnectionRecord(id, organization, name, keyId, key.CreatedAt);
            },
            weight: 1,
            ct);
    }

    /// <inheritdoc />
    public async Task<ConnectionRecord?> FindConnectionAsync(long organization, long id, CancellationToken ct)
    {
        const string Sql = """
            SELECT id AS Id, org AS Organization, name AS Name, key_id AS KeyId, created_at AS CreatedAt
            FROM connections
            WHERE org = @Organization AND id = @Id
            """;
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<ConnectionRecord>(
            new CommandDefinition(Sql, new { Organization = organization, Id = id }, cancellationToken: ct)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ConnectionRecord>> ListConnectionsAsync(long organization, CancellationToken ct)
    {
        const string Sql = """
            SELECT id AS Id, org AS Organization, name AS Name, key_id AS KeyId, created_at AS CreatedAt
            FROM connections
            WHERE org = @Organization
            ORDER BY id
            """;
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ConnectionRecord>(
            new CommandDefinition(Sql, new { Organization = organization }, cancellationToken: ct)).ConfigureAwait(false);
        return [.. rows];
    }
}
