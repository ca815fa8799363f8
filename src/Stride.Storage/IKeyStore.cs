namespace Stride.Storage;

/// <summary>Organizations and their API keys.</summary>
/// <remarks>Keys are stored as hashes only; the secret itself never reaches the store.</remarks>
public interface IKeyStore
{
    /// <summary>The id of the organization with this name, created when missing.</summary>
    Task<long> EnsureOrganizationAsync(string name, CancellationToken ct);

    /// <summary>Every organization, by id.</summary>
    Task<IReadOnlyList<Organization>> ListOrganizationsAsync(CancellationToken ct);

    /// <summary>Creates an organization and its first (admin) key together.</summary>
    /// <param name="name">The new organization's name, unique.</param>
    /// <param name="adminKey">The key to store; its <see cref="NewApiKey.Organization"/> is ignored (the key is the new organization's).</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The organization, or null when one of that name exists (nothing is stored then).</returns>
    Task<Organization?> CreateOrganizationAsync(string name, NewApiKey adminKey, CancellationToken ct);

    /// <summary>Whether any key exists at all (in any organization): false on a new database.</summary>
    Task<bool> AnyKeyAsync(CancellationToken ct);

    /// <summary>Stores a new key and returns its id.</summary>
    Task<long> CreateKeyAsync(NewApiKey key, CancellationToken ct);

    /// <summary>Stores the key only when the store holds no key at all, atomically: of several nodes starting together on a new database, one creates it.</summary>
    /// <returns>True when this call created the key; false when some key already existed.</returns>
    Task<bool> CreateFirstKeyAsync(NewApiKey key, CancellationToken ct);

    /// <summary>The unrevoked key with this hash, or null.</summary>
    Task<ApiKeyRecord?> FindKeyAsync(byte[] hash, CancellationToken ct);

    /// <summary>The organization's keys, newest first, revoked ones included.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(long organization, CancellationToken ct);

    /// <summary>Replaces the stored hash of a key (when hashes change form; the key itself stays valid).</summary>
    Task ReplaceKeyHashAsync(long id, byte[] hash, CancellationToken ct);

    /// <summary>Records that a key was used at <paramref name="usedAt"/> (Unix seconds); a time before the stored one is ignored.</summary>
    Task TouchKeyAsync(long id, long usedAt, CancellationToken ct);

    /// <summary>
    /// The server-wide secret named <paramref name="name"/>: the stored one, or <paramref name="candidate"/> after
    /// storing it when there is none. Nodes starting together agree on one value.
    /// </summary>
    Task<byte[]> GetOrCreateSecretAsync(string name, byte[] candidate, CancellationToken ct);

    /// <summary>
    /// Calls <paramref name="revoked"/> with the id of every key revoked from now on by any server sharing the
    /// database, until <paramref name="ct"/> is cancelled; with null when revocations may have been missed
    /// (at start, or after the watch was interrupted), so that the caller drops every key it remembers.
    /// </summary>
    /// <remarks>
    /// Lets each node of a shared database forget a revoked key at once instead of when its cache expires.
    /// A store only one process opens (SQLite) has nothing to watch, and returns at once: revocations
    /// happen in that process.
    /// </remarks>
    Task WatchRevocationsAsync(Action<long?> revoked, CancellationToken ct);

    /// <summary>Revokes a key of the organization.</summary>
    /// <returns>1 when a key was revoked, 0 when the organization has no such unrevoked key.</returns>
    Task<int> RevokeKeyAsync(long organization, long id, long revokedAt, CancellationToken ct);
}

/// <summary>What is stored of a key when it is created.</summary>
/// <param name="Scopes">Scope names, such as <c>ingest</c>, <c>read</c>, <c>admin</c>, <c>operator</c>.</param>
public sealed record NewApiKey(long Organization, string Name, string Prefix, byte[] Hash, IReadOnlyList<string> Scopes, long CreatedAt);

/// <summary>A stored key, without its secret.</summary>
public sealed record ApiKeyRecord(
    long Id,
    long Organization,
    string Name,
    string Prefix,
    IReadOnlyList<string> Scopes,
    long CreatedAt,
    long? RevokedAt,
    long? LastUsedAt = null);

/// <summary>A tenant: every event, key and setting belongs to one.</summary>
public sealed record Organization(long Id, string Name, long CreatedAt);
