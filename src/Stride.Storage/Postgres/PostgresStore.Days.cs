using System.Data;
using Dapper;
using Npgsql;
using Stride.Core.Metrics;

namespace Stride.Storage.Postgres;

/// <summary>
/// Windows read by day: their whole days from what the node keeps (<see cref="DayCache"/>) when
/// unchanged, and the rest from the tables.
/// </summary>
/// <remarks>
/// A node holds no state the database does not: what it keeps is checked at every read, in the read's
/// snapshot, against the days every node's writes noted as changed (<c>fact_changes</c>), and can be
/// dropped at any time. Without it a window's read is index ranges over all its rows, whose cost grows
/// with how busy the organization is; with it, a read of a window whose past days are kept reads the
/// window's partial first and last days and whatever days changed.
/// </remarks>
public sealed partial class PostgresStore
{
    // This read's snapshot, and the days noted by the transactions that the kept days' snapshot did not
    // see (all committed by now, or their notes would not be visible), in every environment.
    private const string ChangedDaysSql = """
        SELECT pg_current_snapshot()::text,
               CASE WHEN @checked THEN ARRAY(
                   SELECT DISTINCT c.day FROM fact_changes c
                   WHERE c.org = @org AND c.xid >= pg_snapshot_xmin(@seen::pg_snapshot) AND NOT pg_visible_in_snapshot(c.xid, @seen::pg_snapshot))
               ELSE '{}' END
        """;

    // fact_changes rows older than this are deleted; DayCache.MaxAge is half of it.
    private static readonly TimeSpan FactChangesKept = TimeSpan.FromHours(1);

    private readonly DayCache _days;
    private long _prunedAt = long.MinValue;

    /// <summary>A window holding at least one whole day (<c>[first, end)</c>), by day.</summary>
    /// <param name="filter">The systems, normalized, distinct; null for all.</param>
    private async Task<WindowFacts> ReadDaysAsync(long organization, long from, long to, string env, string[]? filter, long first, long end, CancellationToken ct)
    {
        var scope = filter is null ? env : string.Join('\0', filter.Order(StringComparer.Ordinal).Prepend(env));
        var taken = _days.Take(organization);
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);

        // One snapshot for the check and the reads (repeatable read, read only). When nothing is kept,
        // there is nothing to check: the snapshot comes with the reads, in one round trip.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
        var (seen, changed) = ("", Array.Empty<long>());
        if (taken is not null)
        {
            await using var check = new NpgsqlBatch(connection, transaction);
            AddCheck(check, organization, taken);
            await using var reader = await check.ExecuteReaderAsync(ct).ConfigureAwait(false);
            (seen, changed) = await ReadCheckAsync(reader, ct).ConfigureAwait(false);
        }

        // The window's whole days still good, and the runs of those to read.
        var stale = changed.ToHashSet();
        var kept = new Dictionary<long, DayFacts?>();
        for (var day = first; taken is not null && day < end; day++)
        {
            if (!stale.Contains(day) && taken.Days.TryGetValue((scope, day), out var facts))
            {
                kept[day] = facts;
            }
        }

        var missing = Runs(first, end, kept.ContainsKey);

        // The partial first day (with the count of incidents open since before the window), the partial
        // last day (with the incidents open at the window's end), and the missing days.
        var (firstStart, endStart) = (first * DayFacts.Length, end * DayFacts.Length);
        await using var reads = new NpgsqlBatch(connection, transaction);
        if (taken is null)
        {
            AddCheck(reads, organization, taken);
        }

        reads.BatchCommands.Add(FactsCommand(organization, env, filter, new Range(from, firstStart, from, OpenAtEnd: false)));
        reads.BatchCommands.Add(FactsCommand(organization, env, filter, new Range(endStart, to, endStart, OpenAtEnd: true, CountOpenBefore: false)));
        foreach (var (start, stop) in missing)
        {
            reads.BatchCommands.Add(FactsCommand(organization, env, filter, new Range(start * DayFacts.Length, stop * DayFacts.Length, start * DayFacts.Length, OpenAtEnd: false, CountOpenBefore: false)));
        }

        WindowFacts head, tail;
        var read = new Dictionary<long, DayFacts?>();
        await using (var reader = await reads.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            if (taken is null)
            {
                (seen, _) = await ReadCheckAsync(reader, ct).ConfigureAwait(false);
                await reader.NextResultAsync(ct).ConfigureAwait(false);
            }

            head = await ReadWindowAsync(reader, from, firstStart, ct).ConfigureAwait(false);
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            tail = await ReadWindowAsync(reader, endStart, to, ct).ConfigureAwait(false);
            foreach (var (start, stop) in missing)
            {
                await reader.NextResultAsync(ct).ConfigureAwait(false);
                var days = DayFacts.Summarize(await ReadWindowAsync(reader, start * DayFacts.Length, stop * DayFacts.Length, ct).ConfigureAwait(false)).Days;
                for (var day = start; day < stop; day++)
                {
                    read[day] = null;
                }

                foreach (var facts in days)
                {
                    read[facts.Day] = facts;
                }
            }
        }

        await transaction.CommitAsync(ct).ConfigureAwait(false);
        _days.Keep(organization, taken, seen, changed, scope, read);

        var window = new List<DayFacts>();
        for (var day = first; day < end; day++)
        {
            if ((kept.TryGetValue(day, out var facts) ? facts : read[day]) is { } summary)
            {
                window.Add(summary);
            }
        }

        return new WindowFacts(from, to, [.. head.Deployments, .. tail.Deployments], [.. head.LeadTimes, .. tail.LeadTimes], [.. head.Incidents, .. tail.Incidents])
        {
            Days = window,
            OpenBefore = head.OpenBefore,
        };
    }

    /// <summary>Adds the transaction's settings and the check of what is kept (<see cref="ChangedDaysSql"/>): two results.</summary>
    private static void AddCheck(NpgsqlBatch batch, long organization, DayCache.Entry? taken)
    {
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SET TRANSACTION READ ONLY"));
        batch.BatchCommands.Add(ReadSettings(genericPlans: true));
        var command = new NpgsqlBatchCommand(ChangedDaysSql);
        command.Parameters.AddWithValue("org", organization);
        command.Parameters.AddWithValue("checked", taken is not null);
        command.Parameters.AddWithValue("seen", taken?.Seen ?? DayCache.SeenBefore(1));   // unchecked then; 1 is the lowest valid xmin
        batch.BatchCommands.Add(command);
    }

    /// <summary>The read's snapshot and the days changed since the kept one's, from the results of <see cref="AddCheck"/>.</summary>
    private static async Task<(string Seen, long[] Changed)> ReadCheckAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        await reader.NextResultAsync(ct).ConfigureAwait(false);   // past the settings (SET TRANSACTION returns no result)
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return (reader.GetString(0), reader.GetFieldValue<long[]>(1));
    }

    /// <summary>The runs <c>[start, stop)</c> of days in <c>[first, end)</c> that are not <paramref name="kept"/>.</summary>
    private static List<(long Start, long Stop)> Runs(long first, long end, Func<long, bool> kept)
    {
        var runs = new List<(long, long)>();
        for (var day = first; day < end;)
        {
            if (kept(day))
            {
                day++;
                continue;
            }

            var start = day;
            while (day < end && !kept(day))
            {
                day++;
            }

            runs.Add((start, day));
        }

        return runs;
    }

    /// <summary>
    /// Deletes the notes of changed days older than <see cref="FactChangesKept"/>, at most once a minute
    /// per node (every node does it; the deletes are the same).
    /// </summary>
    /// <remarks>
    /// <para>A node's kept days are checked against the notes from their snapshot's xmin on, and dropped after
    /// <see cref="DayCache.MaxAge"/>: so no note a check needs is deleted while no write transaction runs
    /// for half an hour, which the writer's never do (they are one request's events).</para>
    /// <para>The events are stored before this runs, so a failure here is not the request's: it is
    /// let go, and the next minute's delete takes those notes too.</para>
    /// </remarks>
    private async Task PruneFactChangesAsync()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var last = Interlocked.Read(ref _prunedAt);
        if (now < last + 60 || Interlocked.CompareExchange(ref _prunedAt, now, last) != last)
        {
            return;
        }

        const string Sql = "DELETE FROM fact_changes WHERE at < extract(epoch FROM clock_timestamp())::bigint - @Kept";
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(Sql, new { Kept = (long)FactChangesKept.TotalSeconds })).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // See above: the notes stay until the next delete.
        }
    }
}
