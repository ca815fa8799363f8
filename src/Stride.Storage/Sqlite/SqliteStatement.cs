using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Stride.Storage.Sqlite;

/// <summary>A statement prepared once on the writer connection and executed for many rows.</summary>
/// <remarks>
/// <para><see cref="Execute"/> runs the prepared statement through SQLitePCL's API on the ADO.NET
/// connection's own handle: values are bound by position and no data reader is created per row.
/// Measured on the medium dataset, <c>SqliteCommand.ExecuteNonQuery</c> (which binds every parameter
/// by name and builds a reader on each call) cost about 15% of batched ingestion. Errors surface
/// as <see cref="SqliteException"/>, as they would through the command.</para>
/// <para><see cref="Query"/>, used where rows come back, goes through the prepared
/// <see cref="SqliteCommand"/>. Not thread-safe: the writer connection has a single user.</para>
/// </remarks>
internal sealed class SqliteStatement : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _command;
    private readonly SqliteParameter[] _parameters;
    private sqlite3_stmt? _statement;
    private int[] _indexes = [];

    /// <param name="parameterNames">The SQL's parameter names (with their <c>$</c>), in the order values are given.</param>
    public SqliteStatement(SqliteConnection connection, string sql, params string[] parameterNames)
    {
        _connection = connection;
        _command = connection.CreateCommand();
        _command.CommandText = sql;
        _parameters = new SqliteParameter[parameterNames.Length];
        for (var i = 0; i < parameterNames.Length; i++)
        {
            // No SqliteType: each value is bound by its own type (long → INTEGER, string → TEXT).
            _parameters[i] = _command.Parameters.Add(new SqliteParameter { ParameterName = parameterNames[i], Value = DBNull.Value });
        }
    }

    /// <summary>Runs the statement (which returns no rows); returns the number of rows it changed.</summary>
    /// <remarks>Values are <see cref="long"/>, <see cref="string"/> or null.</remarks>
    public int Execute(params ReadOnlySpan<object?> values)
    {
        var db = _connection.Handle ?? throw new InvalidOperationException("The writer connection is closed.");
        var statement = _statement ?? Prepare(db);
        CheckCount(values);
        for (var i = 0; i < values.Length; i++)
        {
            Check(db, Bind(statement, _indexes[i], values[i]));
        }

        var result = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (result is not raw.SQLITE_DONE and not raw.SQLITE_ROW)
        {
            Check(db, result);
        }

        return raw.sqlite3_changes(db);
    }

    /// <summary>Runs the statement and reads its rows; dispose the reader before the next use.</summary>
    public SqliteDataReader Query(params ReadOnlySpan<object?> values)
    {
        CheckCount(values);
        for (var i = 0; i < values.Length; i++)
        {
            _parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return _command.ExecuteReader();
    }

    public void Dispose()
    {
        _statement?.Dispose();
        _command.Dispose();
    }

    private sqlite3_stmt Prepare(sqlite3 db)
    {
        Check(db, raw.sqlite3_prepare_v2(db, _command.CommandText, out var statement));
        _statement = statement;
        _indexes = new int[_parameters.Length];
        for (var i = 0; i < _parameters.Length; i++)
        {
            _indexes[i] = raw.sqlite3_bind_parameter_index(statement, _parameters[i].ParameterName);
            if (_indexes[i] == 0)
            {
                throw new InvalidOperationException($"The SQL has no parameter {_parameters[i].ParameterName}.");
            }
        }

        return statement;
    }

    private void CheckCount(ReadOnlySpan<object?> values)
    {
        if (values.Length != _parameters.Length)
        {
            throw new ArgumentException($"Expected {_parameters.Length} values, got {values.Length}.", nameof(values));
        }
    }

    /// <summary>Binds a <see cref="long"/>, <see cref="string"/> or null by its own type; returns SQLite's result code.</summary>
    internal static int Bind(sqlite3_stmt statement, int index, object? value) => value switch
    {
        null => raw.sqlite3_bind_null(statement, index),
        long number => raw.sqlite3_bind_int64(statement, index, number),
        string text => raw.sqlite3_bind_text(statement, index, text),
        _ => throw new ArgumentException($"Cannot bind a {value.GetType().Name}.", nameof(value)),
    };

    /// <summary>Throws the <see cref="SqliteException"/> ADO.NET would for a failed call.</summary>
    internal static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(db));
        }
    }
}
