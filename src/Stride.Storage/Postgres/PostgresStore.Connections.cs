using Dapper;

namespace Stride.Storage.Postgres;

/// <summary>DevLake-compatible webhook connections (<see cref="IConnectionStore"/>).</summary>
/// <remarks>The connection and its key are inserted in one transaction, so neither exists without the other.</remarks>
public sealed partial class PostgresStore
{
    /// <inheritdoc />
    /// <exception cref="Npgsql.PostgresException">The key's hash is already stored, or the organization does not exist.</exception>
    public Task<ConnectionRecord> CreateConnectionAsync(long organization, string name, NewApiKey key, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(key.Hash);
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
        // The key belongs to the connection's organization, whatever organization the caller's record names.
        var keyParameters = new
        {
            Organization = organization,
            key.Name,
            key.Prefix,
            key.Hash,
            Scopes = string.Join(' ', key.Scopes),
            key.CreatedAt,
        };
        return InTransactionAsync(
            async (connection, transaction) =>
            {
                var keyId = await connection.ExecuteScalarAsync<long>(
                    new CommandDefinition(KeySql, keyParameters, transaction, cancellationToken: ct)).ConfigureAwait(false);
                var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    ConnectionSql, new { Organization = organization, Name = name, KeyId = keyId, key.CreatedAt }, transaction, cancellationToken: ct))
                    .ConfigureAwait(false);
                return new ConnectionRecord(id, organization, name, keyId, key.CreatedAt);
            },
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
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
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
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ConnectionRecord>(
            new CommandDefinition(Sql, new { Organization = organization }, cancellationToken: ct)).ConfigureAwait(false);
        return [.. rows];
    }
}
