using Stride.Core.Metrics;

namespace Stride.Core.Tests.Metrics;

public sealed class TiersTests
{
    private const long Hour = Seconds.Hour;
    private const long Day = Seconds.Day;

    [Theory]
    [InlineData(Day - 1, Tier.Elite)]
    [InlineData(Day, Tier.High)]
    [InlineData(7 * Day - 1, Tier.High)]
    [InlineData(7 * Day, Tier.Medium)]
    [InlineData(30 * Day - 1, Tier.Medium)]
    [InlineData(30 * Day, Tier.Low)]
    public void LeadTime2023IsEliteUnderADayHighUnderAWeekMediumUnderThirtyDays(long median, Tier expected)
        => Assert.Equal(expected, Tiers.LeadTime(median, Benchmark.Dora2023));

    [Theory]
    [InlineData(Hour - 1, Tier.Elite)]
    [InlineData(Hour, Tier.High)]
    [InlineData(7 * Day - 1, Tier.High)]
    [InlineData(7 * Day, Tier.Medium)]
    [InlineData(180 * Day - 1, Tier.Medium)]
    [InlineData(180 * Day, Tier.Low)]
    public void LeadTime2021IsEliteUnderAnHourHighUnderAWeekMediumUnderHalfAYear(long median, Tier expected)
        => Assert.Equal(expected, Tiers.LeadTime(median, Benchmark.Dora2021));

    [Fact]
    public void LeadTimeWithoutAMedianHasNoTier()
    {
        Assert.Null(Tiers.LeadTime(null, Benchmark.Dora2023));
        Assert.Null(Tiers.LeadTime(null, Benchmark.Dora2021));
    }

    [Theory]
    [InlineData(0, 20, Tier.Elite)]
    [InlineData(1, 20, Tier.Elite)]
    [InlineData(1, 19, Tier.High)]
    [InlineData(2, 20, Tier.High)]
    [InlineData(3, 29, Tier.Medium)]
    [InlineData(3, 20, Tier.Medium)]
    [InlineData(4, 26, Tier.Low)]
    [InlineData(1, 1, Tier.Low)]
    public void ChangeFailureRate2023IsEliteUpToFivePercentHighUpToTenMediumUpToFifteen(int failed, int deployments, Tier expected)
        => Assert.Equal(expected, Tiers.ChangeFailureRate(failed, deployments, Benchmark.Dora2023));

    [Theory]
    [InlineData(3, 20, Tier.Elite)]
    [InlineData(4, 26, Tier.High)]
    [InlineData(4, 20, Tier.High)]
    [InlineData(5, 24, Tier.Medium)]
    [InlineData(6, 20, Tier.Medium)]
    [InlineData(7, 23, Tier.Low)]
    public void ChangeFailureRate2021IsEliteUpToFifteenPercentHighUpToTwentyMediumUpToThirty(int failed, int deployments, Tier expected)
        => Assert.Equal(expected, Tiers.ChangeFailureRate(failed, deployments, Benchmark.Dora2021));

    [Theory]
    [InlineData(Hour - 1, Tier.Elite)]
    [InlineData(Hour, Tier.High)]
    [InlineData(Day - 1, Tier.High)]
    [InlineData(Day, Tier.Medium)]
    [InlineData(7 * Day - 1, Tier.Medium)]
    [InlineData(7 * Day, Tier.Low)]
    public void RestoreIsEliteUnderAnHourHighUnderADayMediumUnderAWeek(long median, Tier expected)
        => Assert.Equal(expected, Tiers.Restore(median));

    [Fact]
    public void RestoreWithoutAMedianHasNoTier() => Assert.Null(Tiers.Restore(null));

    [Theory]
    [InlineData(5.0, 0.0, Tier.Elite)]
    [InlineData(4.5, 30.0, Tier.High)]
    [InlineData(1.0, null, Tier.High)]
    [InlineData(0.5, 1.0, Tier.Medium)]
    [InlineData(0.0, 0.5, Tier.Low)]
    [InlineData(0.0, null, null)]
    public void DeploymentFrequency2023UsesWeeksThenMonths(double perWeek, double? perMonth, Tier? expected)
        => Assert.Equal(expected, Tiers.DeploymentFrequency(perWeek, perMonth, deployments: 1, Benchmark.Dora2023));

    [Theory]
    [InlineData(5.0, null, 9, Tier.Elite)]
    [InlineData(4.5, 1.0, 9, Tier.High)]
    [InlineData(4.5, null, 9, null)]
    [InlineData(0.0, 0.5, 1, Tier.Medium)]
    [InlineData(0.0, 0.0, 0, Tier.Low)]
    public void DeploymentFrequency2021UsesWeeksThenMonthsThenAnyDeployment(double perWeek, double? perMonth, int deployments, Tier? expected)
        => Assert.Equal(expected, Tiers.DeploymentFrequency(perWeek, perMonth, deployments, Benchmark.Dora2021));

    [Fact]
    public void DeploymentFrequencyWithoutAWholeWeekHasNoTier()
    {
        Assert.Null(Tiers.DeploymentFrequency(null, null, 10, Benchmark.Dora2023));
        Assert.Null(Tiers.DeploymentFrequency(null, null, 10, Benchmark.Dora2021));
    }
}
