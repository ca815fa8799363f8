using Stride.Core.Events;
using Stride.Storage.Postgres;

namespace Stride.Storage.Tests.Postgres;

/// <summary>The encoding of a write's saved events in the feed: every field comes back as it went in.</summary>
public sealed class PostgresFeedTests
{
    [Fact]
    public void EveryKindOfEventAndFieldComesBackAsItWasEncoded()
    {
        List<Event> events =
        [
            new Change("svc", "0123456789abcdef0123456789abcdef01234567", 1_700_000_000),
            new Change("svc", "ABCDEF", -5),                                  // uppercase hex: not packed
            new Change("github.com/acme/web", "abc", long.MaxValue),          // odd length
            new Change("github.com/acme/web", "déjà-vu ✓", long.MinValue),    // not ASCII
            new Change("svc", "", 0),
            new Deployment("svc", "v1", 1_700_000_100, "production", DeploymentResult.Success, ["00ff", "feature/x"], ["core", "web"], "cafe", Rework: true),
            new Deployment("github.com/acme/web", "v2", 0, "staging", DeploymentResult.Aborted, [], [], null, Rework: false),
            new Deployment("svc", "v3", 1, "production", DeploymentResult.Failure, ["a"], [], "not hex", Rework: false),
            new Incident("svc", "INC-1", 1_700_000_200, null, null),
            new Incident("svc", "INC-2", 1_700_000_200, 1_700_003_800, "v1"),
            new Incident("github.com/acme/web", "INC-3", 5, null, "v2"),
        ];

        using var encoded = PostgresFeed.Encode(events);
        var decoded = PostgresFeed.Decode(encoded.Bytes);

        Assert.Equal(events.Count, decoded.Count);
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is Deployment d)
            {
                var back = Assert.IsType<Deployment>(decoded[i]);
                Assert.Equal(d with { Changes = [], Teams = [] }, back with { Changes = [], Teams = [] });
                Assert.Equal(d.Changes, back.Changes);
                Assert.Equal(d.Teams, back.Teams);
            }
            else
            {
                Assert.Equal(events[i], decoded[i]);
            }
        }
    }

    [Fact]
    public void PackedHexTakesHalfItsLength()
    {
        var hash = new string('a', 40);
        using var one = PostgresFeed.Encode([new Change("s", hash, 1)]);
        using var two = PostgresFeed.Encode([new Change("s", hash, 1), new Change("s", hash, 1)]);

        Assert.Equal(1 + 1 + 1 + 20 + 1, two.Bytes.Count - one.Bytes.Count);   // kind, system number, length, 20 bytes, time
    }

    [Fact]
    public void BytesOfAnotherVersionOrCutShortAreRefused()
    {
        using var encoded = PostgresFeed.Encode([new Change("svc", "abc", 1)]);
        var bytes = encoded.Bytes.ToArray();

        Assert.Throws<InvalidDataException>(() => PostgresFeed.Decode(bytes.AsSpan(0, bytes.Length - 1)));
        bytes[0] = 99;
        Assert.Throws<InvalidDataException>(() => PostgresFeed.Decode(bytes));
        Assert.Throws<InvalidDataException>(() => PostgresFeed.Decode([]));
    }
}
