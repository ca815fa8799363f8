using Microsoft.Extensions.Time.Testing;
using Stride.Core.Metrics;
using Stride.Storage.Postgres;

namespace Stride.Storage.Tests.Postgres;

/// <summary>What a node keeps of the days it read (<see cref="DayCache"/>), without a database.</summary>
public sealed class DayCacheTests
{
    private const long Org = 1;
    private const string Env = "production";

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void AReadGivesBackItsDaysWithItsSnapshotAndTheChangedDaysGo()
    {
        var cache = new DayCache(_time);
        cache.Keep(Org, cache.Take(Org), "100:105:101", [], Env, Days(1, 2, 3));

        var taken = cache.Take(Org);
        cache.Keep(Org, taken, "110:110:", changed: [2], Env, Days(4));

        var kept = cache.Take(Org)!;
        Assert.Equal("110:110:", kept.Seen);
        Assert.Equal([1, 3, 4], kept.Days.Keys.Select(k => k.Day).Order());
    }

    [Fact]
    public void TwoReadsOfOneKeptStateAreMergedUnderTheLowerXmin()
    {
        var cache = new DayCache(_time);
        cache.Keep(Org, cache.Take(Org), "100:100:", [], Env, Days(1, 2));
        var first = cache.Take(Org);
        var second = cache.Take(Org);

        cache.Keep(Org, first, "120:125:121", changed: [1], Env, Days(3));
        cache.Keep(Org, second, "110:130:", changed: [], "staging", Days(1));

        // The first read dropped day 1 of production; the second kept its own day 1, of staging. Each
        // set of days saw everything below its own xmin, so together they saw everything below 110.
        var kept = cache.Take(Org)!;
        Assert.Equal("110:110:", kept.Seen);
        Assert.Equal([(Env, 2L), (Env, 3L), ("staging", 1L)], kept.Days.Keys.Order());
    }

    [Fact]
    public void DaysNotCheckedForLongerThanTheNotesOfChangesLastAreDropped()
    {
        var cache = new DayCache(_time);
        cache.Keep(Org, cache.Take(Org), "100:100:", [], Env, Days(1));
        _time.Advance(DayCache.MaxAge);
        Assert.NotNull(cache.Take(Org));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(cache.Take(Org));
    }

    [Fact]
    public void PastTheMemoryBoundTheOrganizationCheckedLongestAgoGoesFirst()
    {
        // Each day below holds two values and a count of its own: 3 values a day.
        var cache = new DayCache(_time, maxValues: 10);
        cache.Keep(1, null, "1:1:", [], Env, Days(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        cache.Keep(2, null, "1:1:", [], Env, Days(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        cache.Keep(3, null, "1:1:", [], Env, Days(1, 2));

        Assert.Null(cache.Take(1));
        Assert.NotNull(cache.Take(2));
        Assert.NotNull(cache.Take(3));

        // An organization that alone is past the bound is not kept, and drops no other.
        cache.Keep(4, null, "1:1:", [], Env, Days(1, 2, 3, 4));
        Assert.Null(cache.Take(4));
        Assert.NotNull(cache.Take(2));
        Assert.NotNull(cache.Take(3));
    }

    /// <summary>Days with one deployment and one lead time each.</summary>
    private static Dictionary<long, DayFacts?> Days(params long[] days)
        => days.ToDictionary(d => d, d => (DayFacts?)DayFacts.Of(d, [new DeploymentFact(d * DayFacts.Length, false, false)], [new LeadTimeFact(d * DayFacts.Length, d * DayFacts.Length - 60)], [], 0));
}
