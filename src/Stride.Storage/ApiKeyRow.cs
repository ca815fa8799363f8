namespace Stride.Storage;

/// <summary>An <c>api_keys</c> row as both stores read it (scopes as one space-separated text).</summary>
internal sealed record ApiKeyRow(long Id, long Organization, string Name, string Prefix, string Scopes, long CreatedAt, long? RevokedAt, long? LastUsedAt)
{
    public ApiKeyRecord ToRecord() => new(
        Id, Organization, Name, Prefix, Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), CreatedAt, RevokedAt, LastUsedAt);
}
