using Stride.Core.Events;
using Stride.Core.Metrics;
using Stride.Storage.Memory;

namespace Stride.Storage.Tests.Memory;

public sealed class EventIndexTests
{
    [Fact]
    public void AnIndexThatFailsToApplyCommittedEventsIsBuiltAgainFromTheDatabase()
    {
        // What the database holds once the write committed: the change and its deployment.
        Event[] saved = [Some.Change("c1", 100), Some.Deployment("v1", 1_000, changes: ["c1"])];
        var loads = 0;
        var index = new EventIndex(_ =>
        {
            loads++;
            return saved;
        });

        // The deployment cannot be applied in memory (a null identifier here; a bug in real life).
        index.Apply([(1, saved[0]), (1, Some.Deployment(null!, 1_000, changes: ["c1"]))]);

        Assert.Equal(1, loads);
        var facts = index[1].Facts(0, 10_000, EnvironmentName.Production, []);
        Assert.Equal([new DeploymentFact(1_000, false, false)], facts.Deployments);
        Assert.Equal([new LeadTimeFact(1_000, 100)], facts.LeadTimes);
    }

    [Fact]
    public void AnIndexThatCannotBeBuiltAgainAtOnceIsBuiltBeforeItIsReadAgain()
    {
        Event[] saved = [Some.Change("c1", 100), Some.Deployment("v1", 1_000, changes: ["c1"])];
        var readable = false;
        var index = new EventIndex(_ => readable ? saved : throw new IOException("disk I/O error"));
        index.Apply([(1, Some.Change("c0", 50))]);

        // The apply fails, and so does reading the database back.
        index.Apply([(1, saved[0]), (1, Some.Deployment(null!, 1_000, changes: ["c1"]))]);

        // No read answers from the half-applied index: while the database cannot be read, reads fail.
        var failed = Assert.Throws<InvalidOperationException>(() => index[1]);
        Assert.IsType<IOException>(failed.InnerException);

        readable = true;
        var facts = index[1].Facts(0, 10_000, EnvironmentName.Production, []);
        Assert.Equal([new DeploymentFact(1_000, false, false)], facts.Deployments);
        Assert.Equal([new LeadTimeFact(1_000, 100)], facts.LeadTimes);
    }

    [Fact]
    public void TheWriterBuildsABrokenIndexAgainBeforeItsNextWrite()
    {
        Event[] saved = [Some.Change("c1", 100)];
        var readable = false;
        var index = new EventIndex(_ => readable ? saved : throw new IOException("disk I/O error"));
        index.Apply([(1, Some.Deployment(null!, 1_000, changes: ["c1"]))]);

        // The next write committed: the database holds it, and building the index again takes it in.
        readable = true;
        saved = [Some.Change("c1", 100), Some.Deployment("v1", 1_000, changes: ["c1"])];
        index.Apply([(1, saved[1])]);

        Assert.Equal([new LeadTimeFact(1_000, 100)], index[1].Facts(0, 10_000, EnvironmentName.Production, []).LeadTimes);
    }

    [Fact]
    public void OtherOrganizationsAreLeftAsTheyAre()
    {
        var index = new EventIndex(_ => []);
        index.Apply([(1, Some.Change("c1", 100)), (2, Some.Deployment("v1", 1_000, changes: ["c1"]))]);

        Assert.Equal([new LeadTimeFact(1_000, null)], index[2].Facts(0, 10_000, EnvironmentName.Production, []).LeadTimes);
        Assert.Empty(index[1].Facts(0, 10_000, EnvironmentName.Production, []).LeadTimes);
    }
}
