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
}
