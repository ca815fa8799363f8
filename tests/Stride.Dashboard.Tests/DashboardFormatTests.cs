using Stride.Core.Metrics;
using Stride.Server.Dashboard;

namespace Stride.Dashboard.Tests;

/// <summary>Human units, tiers and trends as the tiles write them.</summary>
public sealed class DashboardFormatTests
{
    [Theory]
    [InlineData(3.21, "3.2 per day")]
    [InlineData(1.0, "1.0 per day")]
    [InlineData(0.5, "3.5 per week")]
    [InlineData(0.05, "1.5 per month")]
    [InlineData(0.0, "none")]
    public void FrequencyUsesTheLargestUnitAboveOne(double perDay, string expected)
        => Assert.Equal(expected, DashboardFormat.Frequency(perDay));

    [Theory]
    [InlineData(15_000.0, "4 h 10 min")]
    [InlineData(3_600.0, "1 h")]
    [InlineData(183_600.0, "2 d 3 h")]
    [InlineData(720.0, "12 min")]
    [InlineData(45.4, "45 s")]
    [InlineData(90.0, "1 min 30 s")]
    [InlineData(-120.0, "−2 min")]
    public void DurationShowsTheTwoLargestUnits(double seconds, string expected)
        => Assert.Equal(expected, DashboardFormat.Duration(seconds));

    [Fact]
    public void MissingValuesReadNoData()
    {
        Assert.Equal("no data", DashboardFormat.Duration(null));
        Assert.Equal("no data", DashboardFormat.Percent(null));
        Assert.Equal("no data", DashboardFormat.Frequency(null));
        Assert.Equal("", DashboardFormat.Raw(null));
    }

    [Fact]
    public void PercentHasOneDecimal() => Assert.Equal("7.5 %", DashboardFormat.Percent(0.075));

    [Fact]
    public void RawValuesRoundTrip() => Assert.Equal(0.1 + 0.2, double.Parse(DashboardFormat.Raw(0.1 + 0.2), System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void CountsHaveThousandsSeparators()
    {
        Assert.Equal("12,345", DashboardFormat.Count(12_345));
        Assert.Equal("1 change", DashboardFormat.Count(1, "change", "changes"));
        Assert.Equal("0 changes", DashboardFormat.Count(0, "change", "changes"));
    }

    [Theory]
    [InlineData(Tier.Elite, "Elite", "tier-elite")]
    [InlineData(Tier.Low, "Low", "tier-low")]
    [InlineData(null, "No tier", "tier-none")]
    public void TiersAreWordsAsWellAsColours(Tier? tier, string word, string css)
    {
        Assert.Equal(word, DashboardFormat.TierWord(tier));
        Assert.Equal(css, DashboardFormat.TierClass(tier));
    }

    [Theory]
    [InlineData(2.0, 1.0, false, "↑", "better")]   // more deployments
    [InlineData(0.5, 1.0, false, "↓", "worse")]
    [InlineData(7_200.0, 3_600.0, true, "↑", "worse")]   // a longer lead time
    [InlineData(0.05, 0.10, true, "↓", "better")]   // a lower failure rate
    [InlineData(1.0, 1.0, true, "→", "unchanged")]
    public void ChangeSaysWhetherItIsBetter(double now, double before, bool lowerIsBetter, string arrow, string word)
    {
        var trend = DashboardFormat.Change(now, before, lowerIsBetter);
        Assert.Equal(arrow, trend.Arrow);
        Assert.Equal(word, trend.Word);
    }

    [Fact]
    public void ChangeWithoutAPreviousValueIsNoComparison()
        => Assert.Equal("no comparison", DashboardFormat.Change(1.0, null, lowerIsBetter: true).Word);
}
