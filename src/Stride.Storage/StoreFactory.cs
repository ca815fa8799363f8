using System.Data.Common;
using Stride.Storage.Postgres;
using Stride.Storage.Sqlite;

namespace Stride.Storage;

/// <summary>Opens the store a connection string names.</summary>
public static class StoreFactory
{
    /// <summary>Opens (creating and migrating when needed) the database of <paramref name="connectionString"/>.</summary>
    /// <param name="connectionString">
    /// A SQLite connection string (<c>Data Source=stride.db</c>, see <see cref="SqliteStore.OpenAsync(string, TimeProvider, CancellationToken)"/> for
    /// the extra <c>Synchronous</c> keyword). A string with a <c>Host</c> keyword names PostgreSQL.
    /// </param>
    /// <param name="time">The clock used for the times the store records itself (organization creation).</param>
    /// <param name="ct">Cancels opening and migrating.</param>
    /// <exception cref="ArgumentException">The string is malformed.</exception>
    /// <exception cref="InvalidOperationException">The database's schema is newer than this build knows.</exception>
    public static async Task<IStrideStore> OpenAsync(string connectionString, TimeProvider time, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return NamesPostgres(connectionString)
            ? await PostgresStore.OpenAsync(connectionString, time, ct).ConfigureAwait(false)
            : await SqliteStore.OpenAsync(connectionString, time, ct).ConfigureAwait(false);
    }

    /// <summary>Whether the connection string is a PostgreSQL one: SPEC §1 selects PostgreSQL by its <c>Host</c> keyword.</summary>
    internal static bool NamesPostgres(string connectionString)
    {
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"The connection string is malformed: {exception.Message}", nameof(connectionString), exception);
        }

        return builder.ContainsKey("Host");
    }
}
