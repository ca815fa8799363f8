using Dapper;

namespace Stride.Storage.Postgres;

/// <summary>The dashboard's cookie encryption keys (<see cref="IDataProtectionKeyStore"/>), shared by every node.</summary>
public sealed partial class PostgresStore
{
    /// <inheritdoc />
    public IReadOnlyList<string> ReadDataProtectionKeys()
    {
        using var connection = _dataSource.OpenConnection();
        return [.. connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY created_at, name")];
    }

    /// <inheritdoc />
    /// <remarks>Two nodes creating a key at once both store theirs (under different names); data protection then uses the newest.</remarks>
    public void StoreDataProtectionKey(string name, string xml)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(xml);
        const string Sql = "INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@Name, @Xml, @CreatedAt) ON CONFLICT (name) DO NOTHING";
        using var connection = _dataSource.OpenConnection();
        connection.Execute(Sql, new { Name = name, Xml = xml, CreatedAt = _time.GetUtcNow().ToUnixTimeSeconds() });
    }
}
