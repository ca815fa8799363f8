using Npgsql;

namespace Stride.Storage.Postgres;

/// <summary>How the store connects: Npgsql's connection string, with Stride's defaults where it says nothing.</summary>
internal static class PostgresSettings
{
    /// <summary>A pooled data source for the connection string.</summary>
    /// <exception cref="ArgumentException">The connection string is malformed or names no host.</exception>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ArgumentException($"The PostgreSQL connection string is not valid: {exception.Message}", nameof(connectionString), exception);
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new ArgumentException("The PostgreSQL connection string names no server: give one as 'Host=<name>'.", nameof(connectionString));
        }

        // Pooling is Npgsql's default; what Stride sets is only what the connection string leaves out.
        // A node serves many requests with few connections (each holds one only for its transaction),
        // so the pool stays well below PostgreSQL's default max_connections of 100 for a few nodes.
        if (!connectionString.Contains("Maximum Pool Size", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("MaxPoolSize", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxPoolSize = 30;
        }

        // Statements Stride runs again and again are prepared once per physical connection.
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
        }

        // A request of 5,000 events sends about a megabyte of parameters: with Npgsql's 8 KB write
        // buffer that was over a hundred flushes, each restarting the command's timeout timer (a lock
        // shared by every connection). 64 KB a pooled connection is little memory.
        if (!connectionString.Contains("Write Buffer Size", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("WriteBufferSize", StringComparison.OrdinalIgnoreCase))
        {
            builder.WriteBufferSize = 64 * 1024;
        }

        builder.ApplicationName ??= "stride";
        return new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
    }
}
