using Stride.Core.Metrics;

namespace Stride.Core.Tests.Metrics;

public sealed class PercentilesTests
{
    [Fact]
    public void MedianOfAnOddCountIsTheMiddleValue() => Assert.Equal(2.0, Percentiles.Median([1, 2, 10]));

    [Fact]
    public void MedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() => Assert.Equal(3.0, Percentiles.Median([1, 2, 4, 10]));

    [Fact]
    public void P90InterpolatesLinearlyAtRankNinetyPercentOfNMinusOne()
    {
        // n = 5: rank 0.9 · 4 = 3.6, so 30 + 0.6 · (40 − 30).
        Assert.Equal(36.0, Percentiles.Of([0, 10, 20, 30, 40], 0.9)!.Value, 9);
        // n = 10: rank 0.9 · 9 = 8.1, so 9 + 0.1 · (10 − 9).
        Assert.Equal(9.1, Percentiles.Of([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)!.Value, 9);
        // n = 2: rank 0.9, so 100 + 0.9 · (200 − 100).
        Assert.Equal(190.0, Percentiles.Of([100, 200], 0.9)!.Value, 9);
    }

    [Fact]
    public void OneValueIsEveryPercentile()
    {
        Assert.Equal(7.0, Percentiles.Median([7]));
        Assert.Equal(7.0, Percentiles.Of([7], 0.9));
        Assert.Equal(7.0, Percentiles.Mean([7]));
    }

    [Fact]
    public void NothingHasNoPercentileAndNoMean()
    {
        Assert.Null(Percentiles.Median([]));
        Assert.Null(Percentiles.Of([], 0.9));
        Assert.Null(Percentiles.Mean([]));
    }

    [Fact]
    public void MeanIsTheArithmeticMean() => Assert.Equal(4.25, Percentiles.Mean([1, 2, 4, 10]));

    public static TheoryData<string> Orders => ["random", "few distinct", "ascending", "descending", "all equal", "organ pipe", "one outlier"];

    [Theory]
    [MemberData(nameof(Orders))]
    public void UnsortedPercentilesEqualThoseOfTheSortedValues(string order)
    {
        var random = new Random(7);
        foreach (var n in new[] { 1, 2, 3, 4, 5, 10, 11, 100, 101, 1_000, 10_007 })
        {
            var values = Values(order, n, random);
            var sorted = values.Order().ToArray();
            foreach (var p in new[] { 0.0, 0.1, 0.25, 0.5, 0.9, 0.99, 1.0 })
            {
                var shuffled = values.ToArray();
                Assert.Equal(Percentiles.Of(sorted, p), Percentiles.OfUnsorted(shuffled, p));
                Assert.Equal(sorted, shuffled.Order().ToArray());
            }
        }
    }

    [Fact]
    public void SelectionThatRunsOutOfPartitionsSortsWhatIsLeft()
    {
        var random = new Random(11);
        foreach (var partitions in new[] { 0, 1, 2 })
        {
            var values = Enumerable.Range(0, 500).Select(_ => (long)random.Next(-1_000, 1_000)).ToArray();
            var sorted = values.Order().ToArray();
            foreach (var k in new[] { 0, 1, 249, 250, 498, 499 })
            {
                var copy = values.ToArray();
                Assert.Equal(sorted[k], Percentiles.Select(copy, k, partitions));
                Assert.All(copy[..k], v => Assert.True(v <= copy[k]));
                Assert.All(copy[(k + 1)..], v => Assert.True(v >= copy[k]));
            }
        }
    }

    [Fact]
    public void NothingUnsortedHasNoPercentile() => Assert.Null(Percentiles.OfUnsorted([], 0.5));

    private static long[] Values(string order, int n, Random random) => order switch
    {
        "random" => [.. Enumerable.Range(0, n).Select(_ => random.NextInt64(-1_000_000, 1_000_000))],
        "few distinct" => [.. Enumerable.Range(0, n).Select(_ => (long)random.Next(0, 4))],
        "ascending" => [.. Enumerable.Range(0, n).Select(i => (long)i)],
        "descending" => [.. Enumerable.Range(0, n).Select(i => (long)(n - i))],
        "all equal" => [.. Enumerable.Repeat(42L, n)],
        "organ pipe" => [.. Enumerable.Range(0, n).Select(i => (long)Math.Min(i, n - i))],
        "one outlier" => [.. Enumerable.Range(0, n).Select(i => i == n / 2 ? long.MaxValue / 4 : 5L)],
        _ => throw new ArgumentOutOfRangeException(nameof(order)),
    };
}
