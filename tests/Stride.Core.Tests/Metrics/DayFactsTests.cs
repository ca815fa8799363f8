using Stride.Core.Metrics;

namespace Stride.Core.Tests.Metrics;

/// <summary>Facts with whole days summarized give exactly the metrics of the same facts as lists.</summary>
public sealed class DayFactsTests
{
    private const long Day = Seconds.Day;
    private const long Hour = Seconds.Hour;

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void SummarizedDaysGiveTheMetricsOfTheListedFacts(int seed)
    {
        var random = new Random(seed);
        var facts = RandomFacts(random);
        var summarized = Summarize(facts);
        Assert.NotEmpty(summarized.Days);
        Assert.Equal(facts.Incidents.Count(i => i.Resolved is null && i.Created < facts.From), summarized.OpenBefore);

        foreach (var benchmark in new[] { Benchmark.Dora2023, Benchmark.Dora2021 })
        {
            Assert.Equal(
                MetricsEngine.Compute(facts, facts.From, facts.To, benchmark),
                MetricsEngine.Compute(summarized, facts.From, facts.To, benchmark));
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void WindowsEndingAtMidnightsGiveTheMetricsOfTheListedFacts(int seed)
    {
        // As the buckets of a series in UTC: edges at midnights, the first and last at the range's edges.
        var random = new Random(seed);
        var facts = RandomFacts(random);
        var listed = MetricsEngine.Prepare(facts);
        var summarized = MetricsEngine.Prepare(Summarize(facts));
        var (firstDay, endDay) = DayFacts.WholeDays(facts.From, facts.To);
        var edges = new List<long> { facts.From };
        for (var day = firstDay; day <= endDay; day += random.Next(1, 9))
        {
            edges.Add(day * Day);
        }

        edges.Add(facts.To);
        edges = [.. edges.Distinct().Order()];
        for (var i = 0; i + 1 < edges.Count; i++)
        {
            Assert.Equal(
                listed.Compute(edges[i], edges[i + 1], Benchmark.Dora2023),
                summarized.Compute(edges[i], edges[i + 1], Benchmark.Dora2023));
        }
    }

    [Fact]
    public void AWindowThatCutsASummarizedDayIsRefused()
    {
        var from = Some.Instant;
        var facts = Summarize(Some.Facts(from, from + (3 * Day), deployments: [new(from + Day + Hour, false, false)]));

        var prepared = MetricsEngine.Prepare(facts);

        Assert.Throws<ArgumentOutOfRangeException>(() => prepared.Compute(from, from + Day + (2 * Hour), Benchmark.Dora2023));
        Assert.Throws<ArgumentOutOfRangeException>(() => prepared.Compute(from + Day + Hour, from + (3 * Day), Benchmark.Dora2023));
        Assert.Equal(1, prepared.Compute(from + Day, from + (2 * Day), Benchmark.Dora2023).DeploymentFrequency.Deployments);
    }

    [Fact]
    public void PercentilesOfRunsAreThoseOfTheirValuesSorted()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 500; trial++)
        {
            var runs = Enumerable.Range(0, random.Next(1, 6))
                .Select(_ => Enumerable.Range(0, random.Next(0, 8)).Select(_ => (long)random.Next(-5, 40)).Order().ToArray())
                .ToList();
            var all = runs.SelectMany(r => r).Order().ToArray();
            foreach (var p in new[] { 0, 0.1, 0.5, 0.9, 1 })
            {
                Assert.Equal(Percentiles.Of(all, p), Percentiles.OfRuns(runs, p));
            }
        }
    }

    /// <summary>A few weeks of facts with a busy, a quiet and an empty stretch, over a range cut off mid-day.</summary>
    private static WindowFacts RandomFacts(Random random)
    {
        var from = Some.Instant + random.Next(0, (int)Day);
        var to = from + (random.Next(2, 40) * Day) + random.Next(0, (int)Day);
        long At() => from + random.NextInt64(to - from);
        var deployments = Enumerable.Range(0, random.Next(0, 300))
            .Select(_ => new DeploymentFact(At(), random.Next(4) == 0, random.Next(5) == 0))
            .ToArray();
        var leadTimes = Enumerable.Range(0, random.Next(1, 2000))
            .Select(_ => LeadTime(At()))
            .ToArray();
        var incidents = Enumerable.Range(0, random.Next(0, 60))
            .Select(_ => Incident(from - (10 * Day) + random.NextInt64(to - from + (10 * Day))))
            .ToArray();
        return Some.Facts(from, to, deployments, leadTimes, incidents);

        // Some never pushed, some deployed before their own time, most a few hours after it.
        LeadTimeFact LeadTime(long deployedAt) => random.Next(10) switch
        {
            0 => new LeadTimeFact(deployedAt, null),
            1 => new LeadTimeFact(deployedAt, deployedAt + random.Next(1, 5000)),
            _ => new LeadTimeFact(deployedAt, deployedAt - random.Next(0, 30 * (int)Hour)),
        };

        // Created from ten days before the range on; a third never resolved.
        IncidentFact Incident(long created) => new(
            created,
            random.Next(3) == 0 ? null : created + random.Next(0, 5 * (int)Day),
            random.Next(2) == 0 ? null : created - Hour);
    }

    /// <summary>
    /// The same facts with the deployments, lead times and incidents of every whole UTC day
    /// inside the range summarized (<see cref="WindowFacts.Days"/>), and the incidents open since before the range
    /// counted (<see cref="WindowFacts.OpenBefore"/>): what a store's index keeps, done the slow way (the reference the tests compare with).
    /// </summary>
    private static WindowFacts Summarize(WindowFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var (first, end) = DayFacts.WholeDays(facts.From, facts.To);
        bool Summarized(long timestamp) => DayFacts.DayOf(timestamp) is var day && day >= first && day < end;
        bool Resolved(IncidentFact i) => i.Resolved is { } resolved && Summarized(resolved);
        bool OpenBefore(IncidentFact i) => i.Resolved is null && i.Created < facts.From;
        bool Unresolved(IncidentFact i) => i.Resolved is null && Summarized(i.Created);
        var deployments = facts.Deployments.Where(d => Summarized(d.Timestamp)).ToLookup(d => DayFacts.DayOf(d.Timestamp));
        var leadTimes = facts.LeadTimes.Where(l => Summarized(l.DeployedAt)).ToLookup(l => DayFacts.DayOf(l.DeployedAt));
        var incidents = facts.Incidents.Where(Resolved).ToLookup(i => DayFacts.DayOf(i.Resolved!.Value));
        var unresolved = facts.Incidents.Where(Unresolved).ToLookup(i => DayFacts.DayOf(i.Created));
        var days = deployments.Select(g => g.Key)
            .Union(leadTimes.Select(g => g.Key))
            .Union(incidents.Select(g => g.Key))
            .Union(unresolved.Select(g => g.Key))
            .Order()
            .Select(day => DayFacts.Of(day, deployments[day], leadTimes[day], incidents[day], unresolved[day].Count()))
            .ToArray();
        return facts with
        {
            Deployments = [.. facts.Deployments.Where(d => !Summarized(d.Timestamp))],
            LeadTimes = [.. facts.LeadTimes.Where(l => !Summarized(l.DeployedAt))],
            Incidents = [.. facts.Incidents.Where(i => !Resolved(i) && !Unresolved(i) && !OpenBefore(i))],
            Days = days,
            OpenBefore = facts.OpenBefore + facts.Incidents.Count(OpenBefore),
        };
    }
}
