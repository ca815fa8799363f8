using Microsoft.Data.Sqlite;

namespace Stride.Storage.Sqlite;

/// <summary>A command prepared once on the writer connection and executed for many rows.</summary>
/// <remarks>
/// Microsoft.Data.Sqlite keeps a command's compiled statement while its text is unchanged, so reusing
/// one instance per SQL text skips parsing and planning on every row. Not thread-safe: the writer
/// connection has a single user.
/// </remarks>
internal sealed class SqliteStatement : IDisposable
{
    private readonly SqliteCommand _command;
    private readonly SqliteParameter[] _parameters;

    /// <param name="parameterNames">The SQL's parameter names (with their <c>$</c>), in the order values are given.</param>
    public SqliteStatement(SqliteConnection connection, string sql, params string[] parameterNames)
    {
        _command = connection.CreateCommand();
        _command.CommandText = sql;
        _parameters = new SqliteParameter[parameterNames.Length];
        for (var i = 0; i < parameterNames.Length; i++)
        {
            // No SqliteType: each value is bound by its own type (long → INTEGER, string → TEXT).
            _parameters[i] = _command.Parameters.Add(new SqliteParameter { ParameterName = parameterNames[i], Value = DBNull.Value });
        }
    }

    /// <summary>Runs the statement; returns the number of rows it changed.</summary>
    public int Execute(params ReadOnlySpan<object?> values)
    {
        Bind(values);
        return _command.ExecuteNonQuery();
    }

    /// <summary>Runs the statement; returns the first column of its first row, or null when it returned none.</summary>
    public object? Scalar(params ReadOnlySpan<object?> values)
    {
        Bind(values);
        var value = _command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>Runs the statement and reads its rows; dispose the reader before the next use.</summary>
    public SqliteDataReader Query(params ReadOnlySpan<object?> values)
    {
        Bind(values);
        return _command.ExecuteReader();
    }

    public void Dispose() => _command.Dispose();

    private void Bind(ReadOnlySpan<object?> values)
    {
        if (values.Length != _parameters.Length)
        {
            throw new ArgumentException($"Expected {_parameters.Length} values, got {values.Length}.", nameof(values));
        }

        for (var i = 0; i < values.Length; i++)
        {
            _parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }
}
