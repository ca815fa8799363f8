using Stride.Server.Webhooks;

namespace Stride.Server.Tests.Webhooks;

/// <summary>The time forms providers write.</summary>
public sealed class WebhookPayloadTests
{
    [Theory]
    [InlineData("2019-05-15T15:19:25Z", 1557933565)]
    [InlineData("2011-12-12T14:27:31+02:00", 1323692851)]
    [InlineData("2020-10-02T18:45:22.169Z", 1601664322)]
    [InlineData("2021-04-28 21:50:00 +0200", 1619639400)]
    [InlineData("2021-04-28 19:50:00 UTC", 1619639400)]
    public void ProviderTimeFormsAreParsed(string text, long expected)
    {
        Assert.True(WebhookPayload.TryParseTime(text, out var seconds));
        Assert.Equal(expected, seconds);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2021-04-28 21:50:00")]
    [InlineData("2021-04-28 21:50:00 +02")]
    public void OtherTextIsNotATime(string text) => Assert.False(WebhookPayload.TryParseTime(text, out _));
}
