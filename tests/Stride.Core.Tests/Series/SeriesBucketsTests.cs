using Stride.Core.Series;

namespace Stride.Core.Tests.Series;

public sealed class SeriesBucketsTests
{
    private const long Hour = Seconds.Hour;
    private const long Day = Seconds.Day;

    // Monday 2026-01-05T00:00:00Z.
    private const long Monday = Some.Instant;

    [Fact]
    public void DayBucketsInUtcRunFromMidnightToMidnightClippedToTheRange()
    {
        var from = Monday + (10 * Hour);
        var to = Monday + (3 * Day) + (6 * Hour);

        var buckets = SeriesBuckets.Split(from, to, SeriesInterval.Day, TimeZoneInfo.Utc);

        Assert.Equal(
            [(from, Monday + Day), (Monday + Day, Monday + (2 * Day)), (Monday + (2 * Day), Monday + (3 * Day)), (Monday + (3 * Day), to)],
            buckets);
    }

    [Fact]
    public void ARangeInsideOneBucketIsOneBucket()
    {
        Assert.Equal([(Monday + 1, Monday + 2)], SeriesBuckets.Split(Monday + 1, Monday + 2, SeriesInterval.Month, TimeZoneInfo.Utc));
    }

    [Fact]
    public void WeekBucketsStartOnMonday()
    {
        // Wednesday 2026-01-07T10:00Z to Thursday 2026-01-22T00:00Z.
        var from = Monday + (2 * Day) + (10 * Hour);
        var to = Monday + (17 * Day);

        var buckets = SeriesBuckets.Split(from, to, SeriesInterval.Week, TimeZoneInfo.Utc);

        Assert.Equal([(from, Monday + (7 * Day)), (Monday + (7 * Day), Monday + (14 * Day)), (Monday + (14 * Day), to)], buckets);
    }

    [Fact]
    public void MonthBucketsStartOnTheFirst()
    {
        long jan15 = 1_768_435_200, feb1 = 1_769_904_000, mar1 = 1_772_323_200, mar10Six = 1_773_122_400;

        var buckets = SeriesBuckets.Split(jan15, mar10Six, SeriesInterval.Month, TimeZoneInfo.Utc);

        Assert.Equal([(jan15, feb1), (feb1, mar1), (mar1, mar10Six)], buckets);
        Assert.Equal(28 * Day, mar1 - feb1);
    }

    [Fact]
    public void DayBucketsInLisbonLast23HoursInSpringAnd25InAutumn()
    {
        var lisbon = Zone("Europe/Lisbon");
        long mar28 = 1_774_656_000, mar29 = 1_774_742_400, mar30 = 1_774_825_200;
        long oct24 = 1_792_796_400, oct25 = 1_792_882_800, oct26 = 1_792_972_800;

        Assert.Equal([(mar28, mar29), (mar29, mar30)], SeriesBuckets.Split(mar28, mar30, SeriesInterval.Day, lisbon));
        Assert.Equal(23 * Hour, mar30 - mar29);
        Assert.Equal([(oct24, oct25), (oct25, oct26)], SeriesBuckets.Split(oct24, oct26, SeriesInterval.Day, lisbon));
        Assert.Equal(25 * Hour, oct26 - oct25);
    }

    [Fact]
    public void DayBucketsInNewYorkFollowLocalMidnightsAcrossBothChanges()
    {
        var newYork = Zone("America/New_York");
        long mar7 = 1_772_859_600, mar8 = 1_772_946_000, mar9 = 1_773_028_800;
        long oct31 = 1_793_419_200, nov1 = 1_793_505_600, nov2 = 1_793_595_600;

        Assert.Equal([(mar7, mar8), (mar8, mar9)], SeriesBuckets.Split(mar7, mar9, SeriesInterval.Day, newYork));
        Assert.Equal(23 * Hour, mar9 - mar8);
        Assert.Equal([(oct31, nov1), (nov1, nov2)], SeriesBuckets.Split(oct31, nov2, SeriesInterval.Day, newYork));
        Assert.Equal(25 * Hour, nov2 - nov1);
    }

    [Fact]
    public void MonthBucketsInNewYorkEndAtLocalMidnightOfTheFirst()
    {
        var newYork = Zone("America/New_York");
        long nov1 = 1_793_505_600, dec1 = 1_796_101_200, jan1 = 1_798_779_600;
        var from = nov1 + (3 * Day);
        var to = jan1 + Hour;

        Assert.Equal([(from, dec1), (dec1, jan1), (jan1, to)], SeriesBuckets.Split(from, to, SeriesInterval.Month, newYork));
    }

    [Fact]
    public void WeekBucketsInLisbonAcrossTheSpringChangeLoseAnHour()
    {
        var lisbon = Zone("Europe/Lisbon");
        long mon23 = 1_774_224_000, mon30 = 1_774_825_200;
        var from = mon23 - Day;        // Sunday, in the week of Monday 16th
        var to = mon30 + (7 * Day) - Hour;

        var buckets = SeriesBuckets.Split(from, to, SeriesInterval.Week, lisbon);

        Assert.Equal([(from, mon23), (mon23, mon30), (mon30, to)], buckets);
        Assert.Equal((7 * Day) - Hour, mon30 - mon23);
    }

    [Fact]
    public void WhereMidnightIsSkippedTheDayStartsWhenTheClocksJump()
    {
        // Havana springs forward from 00:00 to 01:00 on 2026-03-08, at 05:00Z.
        var havana = Zone("America/Havana");
        long mar7 = 1_772_859_600, jump = 1_772_946_000, mar9 = 1_773_028_800;

        Assert.Equal([(mar7, jump), (jump, mar9)], SeriesBuckets.Split(mar7, mar9, SeriesInterval.Day, havana));
    }

    [Fact]
    public void WhereMidnightHappensTwiceTheDayStartsAtTheFirst()
    {
        // Havana falls back from 01:00 to 00:00 on 2026-11-01: midnight at 04:00Z and at 05:00Z.
        var havana = Zone("America/Havana");
        long oct31 = 1_793_419_200, nov1 = 1_793_505_600, nov2 = 1_793_595_600;

        Assert.Equal([(oct31, nov1), (nov1, nov2)], SeriesBuckets.Split(oct31, nov2, SeriesInterval.Day, havana));
    }

    [Fact]
    public void AnEmptyRangeIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SeriesBuckets.Split(Monday, Monday, SeriesInterval.Day, TimeZoneInfo.Utc));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("UTC")]
    [InlineData("Europe/Lisbon")]
    public void KnownZonesAndNoneAreFound(string? id) => Assert.True(SeriesBuckets.TryFindZone(id, out _));

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("../../etc/passwd")]
    [InlineData("Europe/Lisbon\0")]
    [InlineData("/usr/share/zoneinfo/Europe/Lisbon")]
    [InlineData("Europe/Lisbon/")]
    [InlineData("Europe/Lisbon/Belém/Torre/de/Belém/Europe/Lisbon/Belém/Torre/de/Belém/Europe/Lisbon/Belém/Torre/de/Belém/Europe/Lisbon/Belém/Torre/de/Belém/Europe/Lisbon/Belém/Torre/de/Belém/Europe/Lisbon/Belém/Torre/de/Belém/Europe/Lisbon/Belém/Torre/de/Belém/Europe/Lisbon/Belém/Torre/de/Belém")]
    public void UnknownZonesAreNotFound(string id) => Assert.False(SeriesBuckets.TryFindZone(id, out _));

    private static TimeZoneInfo Zone(string id)
    {
        Assert.True(SeriesBuckets.TryFindZone(id, out var zone), $"No time zone data for {id}.");
        return zone;
    }
}
