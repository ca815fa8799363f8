using Dapper;
using Npgsql;

namespace Stride.Storage.Postgres;

/// <summary>Brings a PostgreSQL database to the schema this build knows, from the embedded numbered scripts.</summary>
/// <remarks>
/// Scripts are <c>Sql/Postgres/NNNN_name.sql</c>, forward-only and never edited once merged. All pending
/// scripts run in one transaction (PostgreSQL's DDL is transactional), which first takes a
/// transaction-level advisory lock: when several nodes start together on a new database, one
/// migrates and the others wait, then find nothing left to do.
/// </remarks>
internal static class PostgresMigrator
{
    private static readonly EmbeddedScripts Embedded = new("Postgres");

    // An arbitrary constant that names "Stride's schema migration" among the database's advisory locks.
    private const long MigrationLock = 0x5374726964654d;

    /// <summary>The scripts embedded in this build, by version, oldest first.</summary>
    public static IReadOnlyList<(int Version, string Name)> Scripts => Embedded.Scripts;

    /// <summary>The schema version this build creates.</summary>
    public static int LatestVersion => Scripts[^1].Version;

    /// <summary>Applies the scripts newer than the database's version.</summary>
    /// <returns>The number of scripts applied (0 when the database was up to date).</returns>
    /// <exception cref="InvalidOperationException">The database's version is newer than <see cref="LatestVersion"/>.</exception>
    public static Task<int> MigrateAsync(NpgsqlConnection connection, CancellationToken ct) => MigrateAsync(connection, LatestVersion, ct);

    /// <summary>Applies the scripts newer than the database's version, up to <paramref name="upTo"/>: a database as an older build left it, for tests of a migration.</summary>
    internal static async Task<int> MigrateAsync(NpgsqlConnection connection, int upTo, CancellationToken ct)
    {
        const string CreateVersionTable = """
            CREATE TABLE IF NOT EXISTS schema_version (
                version    integer PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """;
        const string ReadVersion = "SELECT coalesce(max(version), 0) FROM schema_version";
        const string RecordVersion = "INSERT INTO schema_version (version, name) VALUES (@Version, @Name)";

        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@Lock)", new { Lock = MigrationLock }, transaction, cancellationToken: ct))
            .ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(CreateVersionTable, transaction: transaction, cancellationToken: ct)).ConfigureAwait(false);
        var current = await connection.ExecuteScalarAsync<int>(new CommandDefinition(ReadVersion, transaction: transaction, cancellationToken: ct))
            .ConfigureAwait(false);
        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The database's schema is version {current}, newer than the version {LatestVersion} this Stride build knows. "
                + "It was written by a newer Stride: run that version (or newer), or restore a backup made for this one.");
        }

        var applied = 0;
        foreach (var (version, name) in Scripts.Where(s => s.Version > current && s.Version <= upTo))
        {
            await connection.ExecuteAsync(new CommandDefinition(Embedded.Read(name), transaction: transaction, cancellationToken: ct)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(RecordVersion, new { Version = version, Name = name }, transaction, cancellationToken: ct))
                .ConfigureAwait(false);
            applied++;
        }

        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return applied;
    }
}
