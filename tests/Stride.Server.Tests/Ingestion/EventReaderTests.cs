using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Stride.Server.Ingestion;

namespace Stride.Server.Tests.Ingestion;

public sealed class EventReaderTests
{
    [Fact]
    public async Task ACanceledReadIsNotTheEndOfTheBody()
    {
        // Kestrel cancels the pending read of a connection it stops reusing (a server shutting down)
        // while the rest of the request's body is still on its way. The reader's continuations run
        // inline, so that it sees the canceled read before the rest comes.
        var pipe = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline));
        await pipe.Writer.WriteAsync("{\"first\":1}\n"u8.ToArray(), TestContext.Current.CancellationToken);
        var reading = EventReader.ReadBodyAsync(pipe.Reader, TestContext.Current.CancellationToken);
        pipe.Reader.CancelPendingRead();
        await pipe.Writer.WriteAsync("{\"second\":2}\n"u8.ToArray(), TestContext.Current.CancellationToken);
        await pipe.Writer.CompleteAsync();

        var body = await reading;

        Assert.Equal("{\"first\":1}\n{\"second\":2}\n", Encoding.UTF8.GetString(body.ToArray()));
    }
}
