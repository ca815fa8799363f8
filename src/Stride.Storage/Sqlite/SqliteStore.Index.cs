using System.Text.Json;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Stride.Core.Events;
using Stride.Storage.Memory;

namespace Stride.Storage.Sqlite;

/// <summary>Building the in-memory index of the saved events (<see cref="EventIndex"/>) from the tables.</summary>
public sealed partial class SqliteStore
{
    private static EventIndex LoadIndex(string connectionString)
    {
        var index = new EventIndex(organization => ReadSaved(connectionString, organization));
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        var organizations = new List<long>();
        foreach (var row in Rows(connection, "SELECT id FROM organizations ORDER BY id", organization: 0))
        {
            organizations.Add(raw.sqlite3_column_int64(row, 0));
        }

        index.Load(organizations);
        return index;
    }

    /// <summary>The saved events of one organization: changes, then deployments, then incidents.</summary>
    /// <remarks>Read through SQLitePCL on the connection's handle: millions of rows, where ADO.NET's per-row bookkeeping would double the time.</remarks>
    private static IEnumerable<Event> ReadSaved(string connectionString, long organization)
    {
        const string ChangesSql = "SELECT system, id, ts FROM changes WHERE org = $org";
        const string DeploymentsSql = "SELECT system, env, id, ts, result, rework, commit_sha, teams, changes FROM deployments WHERE org = $org";
        const string IncidentsSql = "SELECT system, id, created, resolved, deployment FROM incidents WHERE org = $org";
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction(deferred: true);
        foreach (var row in Rows(connection, ChangesSql, organization))
        {
            yield return new Change(Text(row, 0)!, Text(row, 1)!, raw.sqlite3_column_int64(row, 2));
        }

        foreach (var row in Rows(connection, DeploymentsSql, organization))
        {
            yield return new Deployment(
                Text(row, 0)!, Text(row, 2)!, raw.sqlite3_column_int64(row, 3), Text(row, 1)!,
                (DeploymentResult)raw.sqlite3_column_int64(row, 4),
                JsonSerializer.Deserialize(raw.sqlite3_column_blob(row, 8), StorageJson.Relaxed.ListString) ?? [],
                JsonSerializer.Deserialize(raw.sqlite3_column_blob(row, 7), StorageJson.Relaxed.ListString) ?? [],
                Text(row, 6),
                raw.sqlite3_column_int64(row, 5) != 0);
        }

        foreach (var row in Rows(connection, IncidentsSql, organization))
        {
            yield return new Incident(
                Text(row, 0)!, Text(row, 1)!, raw.sqlite3_column_int64(row, 2), Integer(row, 3), Text(row, 4));
        }
    }

    private static string? Text(sqlite3_stmt row, int column)
        => raw.sqlite3_column_type(row, column) == raw.SQLITE_NULL ? null : raw.sqlite3_column_text(row, column).utf8_to_string();

    private static long? Integer(sqlite3_stmt row, int column)
        => raw.sqlite3_column_type(row, column) == raw.SQLITE_NULL ? null : raw.sqlite3_column_int64(row, column);

    private static IEnumerable<sqlite3_stmt> Rows(SqliteConnection connection, string sql, long organization)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The connection is closed.");
        SqliteStatement.Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        using (statement)
        {
            if (raw.sqlite3_bind_parameter_index(statement, "$org") is var index and > 0)
            {
                SqliteStatement.Check(db, raw.sqlite3_bind_int64(statement, index, organization));
            }

            int rc;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                yield return statement;
            }

            SqliteStatement.Check(db, rc == raw.SQLITE_DONE ? raw.SQLITE_OK : rc);
        }
    }
}
