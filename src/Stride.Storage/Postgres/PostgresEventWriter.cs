using Npgsql;
using Stride.Core.Events;

namespace Stride.Storage.Postgres;

/// <summary>Applies a request's events inside a caller's transaction, keeping the derived facts right.</summary>
internal static class PostgresEventWriter
{
    /// <summary>Applies the events with the effect of list order; returns the number stored (pushes not counted).</summary>
    public static Task<int> AppendAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long organization, IReadOnlyList<Event> events, CancellationToken ct)
        => throw new NotSupportedException("Not built yet.");
}
