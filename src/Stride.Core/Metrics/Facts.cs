namespace Stride.Core.Metrics;

/// <summary>A successful deployment in the chosen environment.</summary>
/// <param name="Timestamp">When it finished (Unix seconds).</param>
/// <param name="Rework">Whether it was an unplanned fix of a production problem.</param>
/// <param name="Failed">Whether at least one incident is attributed to it (whenever that incident happened).</param>
public readonly record struct DeploymentFact(long Timestamp, bool Rework, bool Failed);

/// <summary>A change whose first successful deployment in the chosen environment is known.</summary>
/// <param name="DeployedAt">Timestamp of the change's first deployment.</param>
/// <param name="ChangedAt">The change's own timestamp; null when it was listed but never pushed.</param>
public readonly record struct LeadTimeFact(long DeployedAt, long? ChangedAt);

/// <summary>An incident of the chosen systems.</summary>
/// <param name="Created">When it started.</param>
/// <param name="Resolved">When it was resolved; null while open.</param>
/// <param name="DeployedAt">Timestamp of its attributed deployment in the chosen environment, if any.</param>
public readonly record struct IncidentFact(long Created, long? Resolved, long? DeployedAt);

/// <summary>
/// Everything the metrics of a range <c>[From, To)</c> need, for one organization, environment and
/// set of systems: what the store reads, and all the engine looks at.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="Deployments"/>: successful deployments with <c>From ≤ Timestamp &lt; To</c>.</item>
/// <item><see cref="LeadTimes"/>: changes whose first deployment has <c>From ≤ DeployedAt &lt; To</c>.</item>
/// <item><see cref="Incidents"/>: incidents resolved in <c>[From, To)</c>, plus those created before
/// <c>To</c> and unresolved at <c>To</c> (resolved later or never), so that the open count at any
/// instant of the range can be computed.</item>
/// </list>
/// The lists may come in any order and may hold more than this; the engine filters by time itself.
/// <para>A store may give whole UTC days of the range as <see cref="Days"/> instead: their deployments,
/// lead times and resolved incidents are then summarized there and absent from the lists. A window computed from such
/// facts must not cut a summarized day (its edges fall on midnights UTC, or outside the days).</para>
/// </remarks>
public sealed record WindowFacts(
    long From,
    long To,
    IReadOnlyList<DeploymentFact> Deployments,
    IReadOnlyList<LeadTimeFact> LeadTimes,
    IReadOnlyList<IncidentFact> Incidents)
{
    /// <summary>Whole UTC days of the range, summarized, in day order; empty when every fact is in the lists.</summary>
    public IReadOnlyList<DayFacts> Days { get; init; } = [];

    /// <summary>
    /// Incidents created before <see cref="From"/> and never resolved, counted here instead of listed in
    /// <see cref="Incidents"/>: they are open at every instant of the range, and all they add is that.
    /// </summary>
    public int OpenBefore { get; init; }
}

/// <summary>
/// The successful deployments, lead times and incidents of one whole UTC day, summarized:
/// what the metrics of a window holding the day whole need of them.
/// </summary>
/// <remarks>
/// A long window of many systems holds hundreds of thousands of lead times. Read as days, it is a
/// few hundred sorted runs whose percentiles are found by binary searches, so that the work of a
/// metrics read grows with the window's days, not with how busy they were.
/// </remarks>
/// <param name="Day">The day's number: its start is <c>Day × 86,400</c> Unix seconds.</param>
/// <param name="DeployedAt">The times of its successful deployments, ascending.</param>
/// <param name="Rework">How many of those were rework.</param>
/// <param name="Failed">How many of those have at least one attributed incident.</param>
/// <param name="LeadTimes">The lead times (≥ 0) of the changes first deployed that day, ascending.</param>
/// <param name="LeadTimeSum">The sum of <paramref name="LeadTimes"/>.</param>
/// <param name="NegativeLeadTimes">Changes first deployed that day before their own time.</param>
/// <param name="WithoutTimestamp">Changes first deployed that day but never pushed.</param>
/// <param name="ResolvedCreatedAt">When the incidents resolved that day were created, ascending (for the open count of earlier instants).</param>
/// <param name="RestoreTimes">Their restore times (resolved − created, ≥ 0), ascending.</param>
/// <param name="RestoreTimeSum">The sum of <paramref name="RestoreTimes"/>.</param>
/// <param name="RecoveryTimes">Their recovery times from the attributed deployment (≥ 0), ascending.</param>
/// <param name="Unresolved">Incidents created that day and never resolved (open at every later instant).</param>
public sealed record DayFacts(
    long Day,
    long[] DeployedAt,
    int Rework,
    int Failed,
    long[] LeadTimes,
    long LeadTimeSum,
    int NegativeLeadTimes,
    int WithoutTimestamp,
    long[] ResolvedCreatedAt,
    long[] RestoreTimes,
    long RestoreTimeSum,
    long[] RecoveryTimes,
    int Unresolved)
{
    /// <summary>Seconds in a day.</summary>
    public const long Length = 86_400;

    /// <summary>The day's first second.</summary>
    public long Start => Day * Length;

    /// <summary>The next day's first second.</summary>
    public long End => Start + Length;

    /// <summary>The number of the UTC day holding <paramref name="timestamp"/>.</summary>
    public static long DayOf(long timestamp) => Math.DivRem(timestamp, Length) is var (q, r) && r < 0 ? q - 1 : q;

    /// <summary>Summarizes the given facts of one day (deployed, first deployed, resolved, or created and never resolved in it).</summary>
    public static DayFacts Of(
        long day, IEnumerable<DeploymentFact> deployments, IEnumerable<LeadTimeFact> leadTimes, IEnumerable<IncidentFact> resolved, int unresolved)
    {
        ArgumentNullException.ThrowIfNull(deployments);
        ArgumentNullException.ThrowIfNull(leadTimes);
        ArgumentNullException.ThrowIfNull(resolved);
        var deployed = deployments.ToArray();
        var values = new List<long>();
        var (sum, negative, without) = (0L, 0, 0);
        foreach (var fact in leadTimes)
        {
            if (fact.ChangedAt is not { } changedAt)
            {
                without++;
            }
            else if (fact.DeployedAt - changedAt is var value && value < 0)
            {
                negative++;
            }
            else
            {
                values.Add(value);
                sum += value;
            }
        }

        var incidents = resolved.ToArray();
        var restoreTimes = incidents.Select(i => i.Resolved!.Value - i.Created).Where(t => t >= 0).Order().ToArray();
        var recoveryTimes = incidents.Where(i => i.DeployedAt is not null).Select(i => i.Resolved!.Value - i.DeployedAt!.Value).Where(t => t >= 0).Order().ToArray();
        return new DayFacts(
            day,
            [.. deployed.Select(d => d.Timestamp).Order()],
            deployed.Count(d => d.Rework),
            deployed.Count(d => d.Failed),
            [.. values.Order()],
            sum,
            negative,
            without,
            [.. incidents.Select(i => i.Created).Order()],
            restoreTimes,
            restoreTimes.Sum(),
            recoveryTimes,
            unresolved);
    }

    /// <summary>Whether no window's edge inside <c>(from, to)</c> cuts a UTC day, so that facts summarized by day serve them all.</summary>
    public static bool CutNoDay(long from, long to, IEnumerable<(long Start, long End)> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        bool Fits(long edge) => edge <= from || edge >= to || edge % Length == 0;
        return windows.All(w => Fits(w.Start) && Fits(w.End));
    }

    /// <summary>The whole UTC days inside <c>[from, to)</c>, as the range of their numbers <c>[First, End)</c> (empty when none).</summary>
    public static (long First, long End) WholeDays(long from, long to)
    {
        var first = DayOf(from - 1) + 1;
        var end = DayOf(to);
        return (first, Math.Max(first, end));
    }
}
