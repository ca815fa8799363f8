using Stride.Core.Events;

namespace Stride.Core.Tests.Events;

public sealed class TimestampsTests
{
    [Theory]
    [InlineData("2026-05-12T06:28:14Z", 1_778_567_294)]
    [InlineData("2026-05-12T06:28:14+00:00", 1_778_567_294)]
    [InlineData("2026-05-12T01:28:14-05:00", 1_778_567_294)]
    [InlineData("2026-05-12T11:58:14+05:30", 1_778_567_294)]
    [InlineData("2026-05-12t06:28:14z", 1_778_567_294)]
    [InlineData("2026-05-12 06:28:14Z", 1_778_567_294)]
    public void Rfc3339WithAnOffsetBecomesUtcSeconds(string text, long expected)
    {
        Assert.True(Timestamps.TryParseRfc3339(text, out var seconds));
        Assert.Equal(expected, seconds);
    }

    [Theory]
    [InlineData("2026-05-12T06:28:14.999Z")]
    [InlineData("2026-05-12T06:28:14.1234567+00:00")]
    public void FractionsOfASecondAreTruncated(string text)
    {
        Assert.True(Timestamps.TryParseRfc3339(text, out var seconds));
        Assert.Equal(1_778_567_294, seconds);
    }

    [Theory]
    [InlineData("2026-05-12T06:28:14")]
    [InlineData("2026-05-12")]
    [InlineData("2026-05-12T06:28:14+0530")]
    [InlineData("2026-13-12T06:28:14Z")]
    [InlineData("yesterday at noon, UTC")]
    [InlineData("1970-01-01T00:00:00Z")]
    public void OtherTextIsRejected(string text) => Assert.False(Timestamps.TryParseRfc3339(text, out _));

    [Fact]
    public void FormatsAsRfc3339Utc() => Assert.Equal("2026-05-12T06:28:14Z", Timestamps.ToRfc3339(1_778_567_294));
}
