using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Stride.Server.Dashboard;

namespace Stride.Dashboard.Tests;

/// <summary>The dashboard's filters: read from a query string, turned into the API's query, written back into links.</summary>
public sealed class DashboardFiltersTests
{
    private static readonly TimeProvider Clock = new FixedClock(DateTimeOffset.FromUnixTimeSeconds(1_789_948_800));

    [Fact]
    public void APresetEndsNowAndLastsItsDays()
    {
        var filters = Read(("window", "30"), ("system", "svc-1"), ("system", "https://github.com/acme/svc-0.git"));

        var query = filters.ToMetricsQuery(Clock, []);

        Assert.NotNull(query);
        Assert.Equal(1_789_948_800, query.To);
        Assert.Equal(1_789_948_800 - 30 * 86_400, query.From);
        Assert.Equal(["svc-1", "github.com/acme/svc-0"], query.Systems);
        Assert.Equal("?window=30&system=svc-1&system=https%3A%2F%2Fgithub.com%2Facme%2Fsvc-0.git", filters.ToQueryString());
    }

    [Fact]
    public void AnUnknownPresetFallsBackToNinetyDaysAndCustomDatesWin()
    {
        Assert.Equal(90, Read(("window", "12")).WindowDays);

        var custom = Read(("window", "30"), ("from", "2026-09-01"), ("to", "2026-09-10"));

        Assert.True(custom.IsCustom);
        Assert.Equal("?from=2026-09-01&to=2026-09-10", custom.ToQueryString());
        Assert.Equal("?window=7", custom.WithWindow(7).ToQueryString());
    }

    [Theory]
    [InlineData("7", "day")]
    [InlineData("90", "week")]
    [InlineData("365", "month")]
    public void ChartsPickAnIntervalFromTheWindowLength(string days, string interval)
    {
        var filters = Read(("window", days));
        var series = filters.ToSeriesQuery(filters.ToMetricsQuery(Clock, [])!, Clock, []);

        Assert.Equal(interval, series!.Interval.ToString().ToLowerInvariant());
    }

    [Fact]
    public void InvalidFiltersGiveTheApisErrors()
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Null(Read(("from", "2026-09-10"), ("to", "2026-09-01"), ("benchmark", "2019")).ToMetricsQuery(Clock, errors));
        Assert.Contains("from", errors.Keys);
        Assert.Contains("benchmark", errors.Keys);
    }

    private static DashboardFilters Read(params (string Name, string Value)[] pairs)
        => DashboardFilters.Read(new QueryCollection(pairs
            .GroupBy(p => p.Name)
            .ToDictionary(g => g.Key, g => new StringValues([.. g.Select(p => p.Value)]))));

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
