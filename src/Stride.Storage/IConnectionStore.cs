namespace Stride.Storage;

/// <summary>DevLake-compatible webhook connections (SPEC §4.3), each with the one API key valid on its routes.</summary>
/// <remarks>Thread-safe. Every call is scoped to one organization.</remarks>
public interface IConnectionStore
{
    /// <summary>Stores a connection together with its key, atomically, and returns the connection.</summary>
    /// <param name="organization">The tenant; also the key's organization.</param>
    /// <param name="name">The connection's name, as given (trimmed).</param>
    /// <param name="key">The key to create for it; its scopes should allow nothing but the connection's routes.</param>
    /// <param name="ct">Cancels the write.</param>
    Task<ConnectionRecord> CreateConnectionAsync(long organization, string name, NewApiKey key, CancellationToken ct);

    /// <summary>The organization's connection with this id, or null (unknown, or another organization's).</summary>
    Task<ConnectionRecord?> FindConnectionAsync(long organization, long id, CancellationToken ct);

    /// <summary>The organization's connections, oldest first.</summary>
    Task<IReadOnlyList<ConnectionRecord>> ListConnectionsAsync(long organization, CancellationToken ct);
}

/// <summary>A stored connection.</summary>
/// <param name="KeyId">The id of the API key that is valid on this connection's routes.</param>
/// <param name="CreatedAt">Unix seconds.</param>
public sealed record ConnectionRecord(long Id, long Organization, string Name, long KeyId, long CreatedAt);
