using System.Globalization;
using Stride.Core.Metrics;

namespace Stride.Storage.Postgres;

/// <summary>
/// Whole UTC days of organizations' facts, summarized per environment and set of systems read, that a node keeps
/// between reads: past days rarely change, so a long window's read only reads again the days that did.
/// </summary>
/// <remarks>
/// <para>An organization's days come with the snapshot they were read in (<c>pg_snapshot</c> text), and
/// every transaction that changes a fact of a day notes the day in <c>fact_changes</c>, under its own
/// id. A read first asks, in its own snapshot, for the days noted by the transactions that the kept
/// days' snapshot did not see: what it keeps of the others is exactly what the database holds in the
/// read's snapshot. So a write committed on any node is seen by the next read on every node.</para>
/// <para>Readers take a copy of what is kept, and give back the days they read with their snapshot
/// (<see cref="Keep"/>). When another reader gave back days in between, the two are merged under a
/// snapshot that saw no transaction from the lower of their xmins on: every transaction either set of
/// days missed is one of those.</para>
/// <para>Nothing here does I/O; <see cref="PostgresStore"/> reads and keeps.</para>
/// </remarks>
/// <param name="time">The clock for <see cref="MaxAge"/>.</param>
/// <param name="maxValues">The values kept in all (8 bytes each); past it, the organizations checked longest ago are dropped.</param>
internal sealed class DayCache(TimeProvider time, long maxValues = DayCache.DefaultMaxValues)
{
    /// <summary>About 256 MB of values.</summary>
    public const long DefaultMaxValues = 32_000_000;

    /// <summary>
    /// Days kept longer than this since their organization's last check are dropped, not checked:
    /// <c>fact_changes</c> keeps an hour (<see cref="PostgresStore"/> deletes older rows), and a check
    /// needs every row noted since the kept snapshot's xmin.
    /// </summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(30);

    private readonly Lock _lock = new();
    private readonly Dictionary<long, Entry> _organizations = [];
    private long _values;

    /// <summary>What a node keeps of one organization: its days by scope (an environment and a set of systems), and the snapshot they hold.</summary>
    /// <param name="Seen">The snapshot (<c>pg_snapshot</c> text, <c>xmin:xmax:running,…</c>) whose transactions the days hold.</param>
    /// <param name="Days">Summaries by scope and day; null for a day without facts.</param>
    public sealed record Entry(string Seen, Dictionary<(string Scope, long Day), DayFacts?> Days, long Values, long CheckedAt);

    /// <summary>What is kept of the organization, or null when nothing (or only what is too old to check).</summary>
    public Entry? Take(long organization)
    {
        lock (_lock)
        {
            if (_organizations.TryGetValue(organization, out var entry) && time.GetElapsedTime(entry.CheckedAt) > MaxAge)
            {
                Drop(organization);
                return null;
            }

            return entry;
        }
    }

    /// <summary>Keeps the days a read found, in place of those its check found changed.</summary>
    /// <param name="organization">The organization read.</param>
    /// <param name="taken">What <see cref="Take"/> gave the read.</param>
    /// <param name="seen">The read's snapshot.</param>
    /// <param name="changed">Days noted by transactions that <paramref name="taken"/>'s snapshot did not see, of every scope.</param>
    /// <param name="scope">What was read: the environment and the systems, as the caller names them.</param>
    /// <param name="read">The days read, null for those without facts.</param>
    public void Keep(long organization, Entry? taken, string seen, IReadOnlyCollection<long> changed, string scope, IReadOnlyDictionary<long, DayFacts?> read)
    {
        lock (_lock)
        {
            var current = _organizations.GetValueOrDefault(organization);
            Dictionary<(string Scope, long Day), DayFacts?> days;
            if (ReferenceEquals(current, taken) && current is not null)
            {
                // No other read gave back days since: the changed days go, the rest hold the read's snapshot.
                var gone = changed.ToHashSet();
                days = current.Days.Where(d => !gone.Contains(d.Key.Day)).ToDictionary();
            }
            else if (current is not null)
            {
                // Another read came back first; which of the two snapshots saw less is not known here.
                days = new(current.Days);
                seen = SeenBefore(Math.Min(Xmin(seen), Xmin(current.Seen)));
            }
            else
            {
                days = [];
            }

            foreach (var (day, facts) in read)
            {
                days[(scope, day)] = facts;
            }

            var values = days.Values.Sum(Count);
            Drop(organization);
            if (values > maxValues)
            {
                return;   // not kept at all, rather than in place of every other organization's days
            }

            _organizations[organization] = new Entry(seen, days, values, time.GetTimestamp());
            _values += values;
            Trim(organization);
        }
    }

    /// <summary>The xmin of a snapshot's text: every transaction below it had ended.</summary>
    public static long Xmin(string snapshot) => long.Parse(snapshot.AsSpan(0, snapshot.IndexOf(':', StringComparison.Ordinal)), CultureInfo.InvariantCulture);

    /// <summary>A snapshot that saw every transaction below <paramref name="xmin"/> and none from it on.</summary>
    public static string SeenBefore(long xmin) => string.Create(CultureInfo.InvariantCulture, $"{xmin}:{xmin}:");

    /// <summary>The values a day holds, for the memory bound.</summary>
    private static long Count(DayFacts? day)
        => day is null ? 1 : 1 + day.DeployedAt.Length + day.LeadTimes.Length + day.ResolvedCreatedAt.Length + day.RestoreTimes.Length + day.RecoveryTimes.Length;

    private void Drop(long organization)
    {
        if (_organizations.Remove(organization, out var entry))
        {
            _values -= entry.Values;
        }
    }

    /// <summary>Drops the organizations checked longest ago until the values fit, all but the one just kept.</summary>
    private void Trim(long kept)
    {
        while (_values > maxValues)
        {
            Drop(_organizations.Where(o => o.Key != kept).MinBy(o => o.Value.CheckedAt).Key);
        }
    }
}
