using System.Globalization;
using Dapper;
using Npgsql;

namespace Stride.Storage.Postgres;

/// <summary>Organizations and API keys (<see cref="IKeyStore"/>). Scopes are stored as one space-separated text.</summary>
public sealed partial class PostgresStore
{
    // Names "creating the first key" among the database's advisory locks.
    private const long FirstKeyLock = 0x537472696465314b;

    // The NOTIFY channel on which revocations reach every node.
    private const string RevocationChannel = "stride_key_revoked";

    private static readonly TimeSpan WatchCheckInterval = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public async Task<long> EnsureOrganizationAsync(string name, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        // DO UPDATE (to the same value) rather than DO NOTHING so that RETURNING gives the id whether the
        // row is new or not, in one statement that two nodes may run at once.
        const string Sql = """
            INSERT INTO organizations (name, created_at) VALUES (@Name, @CreatedAt)
            ON CONFLICT (name) DO UPDATE SET name = excluded.name
            RETURNING id
            """;
        var parameters = new { Name = name, CreatedAt = _time.GetUtcNow().ToUnixTimeSeconds() };
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(Sql, parameters, cancellationToken: ct)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Organization>> ListOrganizationsAsync(CancellationToken ct)
    {
        const string Sql = "SELECT id AS Id, name AS Name, created_at AS CreatedAt FROM organizations ORDER BY id";
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Organization>(new CommandDefinition(Sql, cancellationToken: ct)).ConfigureAwait(false);
        return [.. rows];
    }

    /// <inheritdoc />
    /// <remarks>Both rows are written in one transaction; of two nodes creating the same name at once, one gets null.</remarks>
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
        return InTransactionAsync<Organization?>(
            async (connection, transaction) =>
            {
                var id = await connection.ExecuteScalarAsync<long?>(
                    new CommandDefinition(OrganizationSql, new { Name = name, adminKey.CreatedAt }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                if (id is not { } organization)
                {
                    return null;
                }

                var key = new
                {
                    Organization = organization, adminKey.Name, adminKey.Prefix, adminKey.Hash,
                    Scopes = string.Join(' ', adminKey.Scopes), adminKey.CreatedAt,
                };
                await connection.ExecuteAsync(new CommandDefinition(KeySql, key, transaction, cancellationToken: ct)).ConfigureAwait(false);
                return new Organization(organization, name, adminKey.CreatedAt);
            },
            ct);
    }

    /// <inheritdoc />
    public async Task<bool> AnyKeyAsync(CancellationToken ct)
    {
        const string Sql = "SELECT EXISTS (SELECT 1 FROM api_keys)";
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(Sql, cancellationToken: ct)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="Npgsql.PostgresException">The hash is already stored, or the organization does not exist.</exception>
    public async Task<long> CreateKeyAsync(NewApiKey key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(key.Hash);
        const string Sql = """
            INSERT INTO api_keys (org, name, prefix, hash, scopes, created_at)
            VALUES (@Organization, @Name, @Prefix, @Hash, @Scopes, @CreatedAt)
            RETURNING id
            """;
        var parameters = new { key.Organization, key.Name, key.Prefix, key.Hash, Scopes = string.Join(' ', key.Scopes), key.CreatedAt };
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(Sql, parameters, cancellationToken: ct)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Under READ COMMITTED two nodes could both see an empty table, so the check and the insert run
    /// under a transaction-level advisory lock that only this method takes.
    /// </remarks>
    public Task<bool> CreateFirstKeyAsync(NewApiKey key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(key.Hash);
        const string Lock = "SELECT pg_advisory_xact_lock(@Lock)";
        const string Sql = """
            INSERT INTO api_keys (org, name, prefix, hash, scopes, created_at)
            SELECT @Organization, @Name, @Prefix, @Hash, @Scopes, @CreatedAt
            WHERE NOT EXISTS (SELECT 1 FROM api_keys)
            """;
        var parameters = new { key.Organization, key.Name, key.Prefix, key.Hash, Scopes = string.Join(' ', key.Scopes), key.CreatedAt };
        return InTransactionAsync(
            async (connection, transaction) =>
            {
                await connection.ExecuteAsync(new CommandDefinition(Lock, new { Lock = FirstKeyLock }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                return await connection.ExecuteAsync(new CommandDefinition(Sql, parameters, transaction, cancellationToken: ct)).ConfigureAwait(false) == 1;
            },
            ct);
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
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
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
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ApiKeyRow>(new CommandDefinition(Sql, new { Organization = organization }, cancellationToken: ct))
            .ConfigureAwait(false);
        return [.. rows.Select(r => r.ToRecord())];
    }

    /// <inheritdoc />
    public async Task ReplaceKeyHashAsync(long id, byte[] hash, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hash);
        const string Sql = "UPDATE api_keys SET hash = @Hash WHERE id = @Id";
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(Sql, new { Id = id, Hash = hash }, cancellationToken: ct)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task TouchKeyAsync(long id, long usedAt, CancellationToken ct)
    {
        const string Sql = "UPDATE api_keys SET last_used_at = @UsedAt WHERE id = @Id AND (last_used_at IS NULL OR last_used_at < @UsedAt)";
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(Sql, new { Id = id, UsedAt = usedAt }, cancellationToken: ct)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<byte[]> GetOrCreateSecretAsync(string name, byte[] candidate, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(candidate);

        // Two statements: under READ COMMITTED the read sees whichever node's row won the insert.
        const string InsertSql = "INSERT INTO server_secrets (name, value) VALUES (@Name, @Value) ON CONFLICT (name) DO NOTHING";
        const string ReadSql = "SELECT value FROM server_secrets WHERE name = @Name";
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(InsertSql, new { Name = name, Value = candidate }, cancellationToken: ct)).ConfigureAwait(false);
        return (await connection.ExecuteScalarAsync<byte[]>(new CommandDefinition(ReadSql, new { Name = name }, cancellationToken: ct)).ConfigureAwait(false))!;
    }

    /// <inheritdoc />
    /// <remarks>
    /// LISTEN on one connection of the pool for the whole watch; revoking sends NOTIFY with the key's id.
    /// The connection is checked every <see cref="WatchCheckInterval"/> (a connection that died without
    /// a word would otherwise wait forever), and a lost one is opened again, after telling the caller that
    /// revocations may have been missed.
    /// </remarks>
    public async Task WatchRevocationsAsync(Action<long?> revoked, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(revoked);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                connection.Notification += (_, e) => revoked(long.TryParse(e.Payload, CultureInfo.InvariantCulture, out var id) ? id : null);
                await using (var listen = new NpgsqlCommand($"LISTEN {RevocationChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                revoked(null);   // whatever was revoked before this LISTEN took effect
                while (true)
                {
                    if (!await connection.WaitAsync(WatchCheckInterval, ct).ConfigureAwait(false))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(ct).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // Whatever broke the watch (the server restarting, the network, a failover), the caller
                // forgets what it may have missed and the watch starts over.
                revoked(null);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <inheritdoc />
    public async Task<int> RevokeKeyAsync(long organization, long id, long revokedAt, CancellationToken ct)
    {
        // The notification goes out when the update commits (one statement, one transaction), to every node
        // watching (WatchRevocationsAsync).
        const string Sql = """
            WITH revoked AS (
                UPDATE api_keys SET revoked_at = @RevokedAt
                WHERE org = @Organization AND id = @Id AND revoked_at IS NULL
                RETURNING id)
            SELECT count(*) FROM revoked, pg_notify(@Channel, revoked.id::text)
            """;
        var parameters = new { Organization = organization, Id = id, RevokedAt = revokedAt, Channel = RevocationChannel };
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return (int)await connection.ExecuteScalarAsync<long>(new CommandDefinition(Sql, parameters, cancellationToken: ct)).ConfigureAwait(false);
    }
}
