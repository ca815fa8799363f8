using Dapper;
using Microsoft.Data.Sqlite;

namespace Stride.Storage.Sqlite;

/// <summary>Brings a SQLite database to the schema this build knows, from the embedded numbered scripts.</summary>
/// <remarks>
/// Scripts are <c>Sql/Sqlite/NNNN_name.sql</c>, forward-only and never edited once merged. Each applied
/// script adds a row to <c>schema_version</c>; all pending scripts run in one transaction, so a failed
/// migration leaves the database as it was.
/// </remarks>
internal static class SqliteMigrator
{
    private static readonly EmbeddedScripts Embedded = new("Sqlite");

    /// <summary>The scripts embedded in this build, by version, oldest first.</summary>
    public static IReadOnlyList<(int Version, string Name)> Scripts => Embedded.Scripts;

    /// <summary>The schema version this build creates.</summary>
    public static int LatestVersion => Scripts[^1].Version;

    /// <summary>Applies the scripts newer than the database's version.</summary>
    /// <returns>The number of scripts applied (0 when the database was up to date).</returns>
    /// <exception cref="InvalidOperationException">The database's version is newer than <see cref="LatestVersion"/>.</exception>
    public static async Task<int> MigrateAsync(SqliteConnection connection, CancellationToken ct)
    {
        const string CreateVersionTable = """
            CREATE TABLE IF NOT EXISTS schema_version (
                version    INTEGER PRIMARY KEY,
                name       TEXT    NOT NULL,
                applied_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
            )
            """;
        const string ReadVersion = "SELECT coalesce(max(version), 0) FROM schema_version";
        const string RecordVersion = "INSERT INTO schema_version (version, name) VALUES (@Version, @Name)";

        // IMMEDIATE takes the write lock up front, so two processes opening a new database at once
        // migrate one after the other instead of both reading version 0.
        await connection.ExecuteAsync(new CommandDefinition("BEGIN IMMEDIATE", cancellationToken: ct)).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(CreateVersionTable, cancellationToken: ct)).ConfigureAwait(false);
            var current = await connection.ExecuteScalarAsync<long>(new CommandDefinition(ReadVersion, cancellationToken: ct)).ConfigureAwait(false);
            if (current > LatestVersion)
            {
                throw new InvalidOperationException(
                    $"The database's schema is version {current}, newer than the version {LatestVersion} this Stride build knows. "
                    + "It was written by a newer Stride: run that version (or newer), or restore a backup made for this one.");
            }

            var applied = 0;
            foreach (var (version, name) in Scripts.Where(s => s.Version > current))
            {
                await connection.ExecuteAsync(new CommandDefinition(Embedded.Read(name), cancellationToken: ct)).ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition(RecordVersion, new { Version = version, Name = name }, cancellationToken: ct))
                    .ConfigureAwait(false);
                applied++;
            }

            await connection.ExecuteAsync(new CommandDefinition("COMMIT", cancellationToken: ct)).ConfigureAwait(false);
            return applied;
        }
        catch
        {
            // CancellationToken.None: the rollback must run even when the migration was cancelled.
            await connection.ExecuteAsync(new CommandDefinition("ROLLBACK", cancellationToken: CancellationToken.None)).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The text of an embedded script, by its file name.</summary>
    internal static string ReadScript(string name) => Embedded.Read(name);
}
