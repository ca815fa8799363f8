using Dapper;
using Microsoft.Data.Sqlite;

namespace Stride.Storage.Sqlite;

/// <summary>The dashboard's cookie encryption keys (<see cref="IDataProtectionKeyStore"/>).</summary>
public sealed partial class SqliteStore
{
    /// <inheritdoc />
    public IReadOnlyList<string> ReadDataProtectionKeys()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return [.. connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY created_at, name")];
    }

    /// <inheritdoc />
    public void StoreDataProtectionKey(string name, string xml)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(xml);
        const string Sql = "INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@Name, @Xml, @CreatedAt) ON CONFLICT (name) DO NOTHING";
        var parameters = new { Name = name, Xml = xml, CreatedAt = _time.GetUtcNow().ToUnixTimeSeconds() };

        // Through the single writer, like every write; data protection calls this from its own
        // thread, never the writer's, so waiting here cannot block the writer.
        _writer.WriteAsync((session, _) => session.Connection.Execute(Sql, parameters), weight: 1, CancellationToken.None)
            .GetAwaiter().GetResult();
    }
}
