using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Stride.Storage.Sqlite;

/// <summary>What the store takes from its connection string.</summary>
/// <param name="ConnectionString">The string handed to Microsoft.Data.Sqlite, without Stride's own keywords.</param>
/// <param name="Synchronous">The <c>PRAGMA synchronous</c> level of the writer connection.</param>
internal sealed record SqliteSettings(string ConnectionString, string Synchronous)
{
    /// <summary>Stride's own connection-string keyword for <c>PRAGMA synchronous</c>.</summary>
    public const string SynchronousKeyword = "Synchronous";

    // NORMAL in WAL mode: a commit survives a crash of the process (the WAL is written before the
    // 2xx), and only an operating-system crash or power loss can lose the last commits; the database
    // never corrupts. It is what the sqlite-ceiling reference measures. FULL also fsyncs the WAL on
    // every commit, for deployments where losing the last second on power loss is not acceptable:
    // "Data Source=stride.db;Synchronous=Full".
    private const string DefaultSynchronous = "NORMAL";

    private static readonly string[] SynchronousLevels = ["OFF", "NORMAL", "FULL", "EXTRA"];

    /// <summary>Splits Stride's keywords off a SQLite connection string and checks the rest.</summary>
    /// <exception cref="ArgumentException">The string is malformed, names no file, or has an unknown keyword or level.</exception>
    public static SqliteSettings Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var generic = new DbConnectionStringBuilder();
        try
        {
            generic.ConnectionString = connectionString;
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"The connection string is malformed: {exception.Message}", nameof(connectionString), exception);
        }

        var synchronous = DefaultSynchronous;
        if (generic.TryGetValue(SynchronousKeyword, out var level))
        {
            synchronous = Convert.ToString(level, System.Globalization.CultureInfo.InvariantCulture)?.Trim().ToUpperInvariant() ?? "";
            if (!SynchronousLevels.Contains(synchronous))
            {
                throw new ArgumentException(
                    $"Synchronous={level} is not a SQLite synchronous level; use one of Off, Normal, Full, Extra.", nameof(connectionString));
            }

            generic.Remove(SynchronousKeyword);
        }

        SqliteConnectionStringBuilder sqlite;
        try
        {
            sqlite = new SqliteConnectionStringBuilder(generic.ConnectionString);
        }
        catch (ArgumentException exception)
        {
            throw new ArgumentException($"The SQLite connection string is not valid: {exception.Message}", nameof(connectionString), exception);
        }

        // Readers and the writer are separate connections to one file; an in-memory database would
        // give each its own empty database.
        if (string.IsNullOrWhiteSpace(sqlite.DataSource)
            || sqlite.DataSource.Trim() == ":memory:"
            || sqlite.Mode == SqliteOpenMode.Memory)
        {
            throw new ArgumentException("The SQLite store needs a database file: give one as 'Data Source=<path>'.", nameof(connectionString));
        }

        if (sqlite.Mode == SqliteOpenMode.ReadOnly)
        {
            throw new ArgumentException("The SQLite store writes to its database: 'Mode=ReadOnly' is not supported.", nameof(connectionString));
        }

        sqlite.Pooling = true;
        return new SqliteSettings(sqlite.ToString(), synchronous);
    }
}
