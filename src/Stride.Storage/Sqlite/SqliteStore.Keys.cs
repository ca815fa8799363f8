using Dapper;

namespace Stride.Storage.Sqlite;

/// <summary>Organizations and API keys (<see cref="IKeyStore"/>).</summary>
/// <remarks>
/// Writes go through the same single writer as events (so they never contend with it for SQLite's
/// write lock); reads use pooled reader connections. Scopes are stored as one space-separated text.
/// </remarks>
public sealed partial class SqliteStore
{
    /// <inheritdoc />
    public Task<long> EnsureOrganizationAsync(string name, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        const string Sql = """
            INSERT INTO organizations (name, created_at) VALUES (@Name, @CreatedAt) ON CONFLICT (name) DO NOTHING;
            SELECT id FROM organizations WHERE name = @Name;
            """;
        var createdAt = _time.GetUtcNow().ToUnixTimeSeconds();
        return _writer.WriteAsync(
            (session, _) => session.Connection.ExecuteScalar<long>(Sql, new { Name = name, CreatedAt = createdAt }),
            weight: 1,
            ct);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Organization>> ListOrganizationsAsync(CancellationToken ct)
    {
        const string Sql = "SELECT id AS Id, name AS Name, created_at AS CreatedAt FROM organizations ORDER BY id";
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Organization>(new CommandDefinition(Sql, cancellationToken: ct)).ConfigureAwait(false);
        return [.. rows];
    }

    /// <inheritdoc />
    /// <remarks>Both rows are written in one transaction of the single writer.</remarks>
    public Task<Organization?> CreateOrganizationAsync(string name, NewApiKey adminKey, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(adminKey);
        const string OrganizationSql = """
            INSERT INTO organizations (name, created_at) VALUES (@Name, @CreatedAt)
            ON CONFLICT (name) DO NOTHING
            RETURNING id
            """;
        const string KeySql = """
            INSERT INTO api_keys (org, name, prefix, hash, scopes, created_at)
            VALUES (@Organization, @Name, @Prefix, @Hash, @Scopes, @CreatedAt)
            """;
        return _writer.WriteAsync<Organization?>(
            (session, _) =>
            {
                var id = session.Connection.ExecuteScalar<long?>(OrganizationSql, new { Name = name, adminKey.CreatedAt });
                if (id is not { } organization)
                {
                    return null;
                }

                session.Connection.Execute(KeySql, new
                {
                    Organization = organization, adminKey.Name, adminKey.Prefix, adminKey.Hash,
                    Scopes = string.Join(' ', adminKey.Scopes), adminKey.CreatedAt,
                });
                return new Organization(organization, name, adminKey.CreatedAt);
            },
            weight: 1,
            ct);
    }

    /// <inheritdoc />
    public async Task<bool> AnyKeyAsync(CancellationToken ct)
    {
        const string Sql = "SELECT EXISTS (SELECT 1 FROM api_keys)";
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(Sql, cancellationToken: ct)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="Microsoft.Data.Sqlite.SqliteException">The hash is already stored, or the organization does not exist.</exception>
    public Task<long> CreateKeyAsync(NewApiKey key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(key.Hash);
        const string Sql = """
            INSERT INTO api_keys (org, name, prefix, hash, scopes, created_at)
            VALUES (@Organization, @Name, @Prefix, @Hash, @Scopes, @CreatedAt)
            RETURNING id
            """;
        var parameters = new
        {
            key.Organization,
            key.Name,
            key.Prefix,
            key.Hash,
            Scopes = string.Join(' ', key.Scopes),
            key.CreatedAt,
        };
        return _writer.WriteAsync((session, _) => session.Connection.ExecuteScalar<long>(Sql, parameters), weight: 1, ct);
    }

    /// <inheritdoc />
    /// <remarks>Checked and written by the single writer, so no other write comes between the two.</remarks>
    public Task<bool> CreateFirstKeyAsync(NewApiKey key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(key.Hash);
        const string Sql = """
            INSERT INTO api_keys (org, name, prefix, hash, scopes, created_at)
            SELECT @Organization, @Name, @Prefix, @Hash, @Scopes, @CreatedAt
            WHERE NOT EXISTS (SELECT 1 FROM api_keys)
            """;
        var parameters = new { key.Organization, key.Name, key.Prefix, key.Hash, Scopes = string.Join(' ', key.Scopes), key.CreatedAt };
        return _writer.WriteAsync((session, _) => session.Connection.Execute(Sql, parameters) == 1, weight: 1, ct);
    }

    /// <inheritdoc />
    public async Task<ApiKeyRecord?> FindKeyAsync(byte[] hash, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hash);
        const string Sql = """
            SELECT id AS Id, org AS Organization, name AS Name, prefix AS Prefix, scopes AS Scopes,
                   created_at AS CreatedAt, revoked_at AS RevokedAt, last_used_at AS LastUsedAt
            FROM api_keys
            WHERE hash = @Hash AND revoked_at IS NULL
            """;
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<ApiKeyRow>(new CommandDefinition(Sql, new { Hash = hash }, cancellationToken: ct))
            .ConfigureAwait(false);
        return row?.ToRecord();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(long organization, CancellationToken ct)
    {
        const string Sql = """
            SELECT id AS Id, org AS Organization, name AS Name, prefix AS Prefix, scopes AS Scopes,
                   created_at AS CreatedAt, revoked_at AS RevokedAt, last_used_at AS LastUsedAt
            FROM api_keys
            WHERE org = @Organization
            ORDER BY created_at DESC, id DESC
            """;
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ApiKeyRow>(new CommandDefinition(Sql, new { Organization = organization }, cancellationToken: ct))
            .ConfigureAwait(false);
        return [.. rows.Select(r => r.ToRecord())];
    }

    /// <inheritdoc />
    public Task ReplaceKeyHashAsync(long id, byte[] hash, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hash);
        const string Sql = "UPDATE api_keys SET hash = @Hash WHERE id = @Id";
        return _writer.WriteAsync((session, _) => session.Connection.Execute(Sql, new { Id = id, Hash = hash }), weight: 1, ct);
    }

    /// <inheritdoc />
    public Task TouchKeyAsync(long id, long usedAt, CancellationToken ct)
    {
        const string Sql = "UPDATE api_keys SET last_used_at = @UsedAt WHERE id = @Id AND (last_used_at IS NULL OR last_used_at < @UsedAt)";
        return _writer.WriteAsync((session, _) => session.Connection.Execute(Sql, new { Id = id, UsedAt = usedAt }), weight: 1, ct);
    }

    /// <inheritdoc />
    public Task<byte[]> GetOrCreateSecretAsync(string name, byte[] candidate, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(candidate);
        const string Sql = """
            INSERT INTO server_secrets (name, value) VALUES (@Name, @Value) ON CONFLICT (name) DO NOTHING;
            SELECT value FROM server_secrets WHERE name = @Name;
            """;
        return _writer.WriteAsync(
            (session, _) => session.Connection.ExecuteScalar<byte[]>(Sql, new { Name = name, Value = candidate })!, weight: 1, ct);
    }

    /// <inheritdoc />
    /// <remarks>One process owns the file, and its own API evicts what it revokes: there is nothing to watch.</remarks>
    public Task WatchRevocationsAsync(Action<long?> revoked, CancellationToken ct) => Task.CompletedTask;

    /// <inheritdoc />
    public Task<int> RevokeKeyAsync(long organization, long id, long revokedAt, CancellationToken ct)
    {
        const string Sql = """
            UPDATE api_keys SET revoked_at = @RevokedAt
            WHERE org = @Organization AND id = @Id AND revoked_at IS NULL
            """;
        var parameters = new { Organization = organization, Id = id, RevokedAt = revokedAt };
        return _writer.WriteAsync((session, _) => session.Connection.Execute(Sql, parameters), weight: 1, ct);
    }
}
