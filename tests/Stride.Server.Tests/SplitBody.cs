using System.Net;
using System.Net.Http.Headers;

namespace Stride.Server.Tests;

/// <summary>
/// A request body the client sends in two parts: the first at once, the second only when a task
/// completes, so that the request is surely in flight meanwhile.
/// </summary>
internal sealed class SplitBody : HttpContent
{
    private readonly byte[] _first;
    private readonly byte[] _second;
    private readonly Func<Task> _resume;
    private readonly TaskCompletionSource _firstSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="contentType">The media type of the whole body.</param>
    /// <param name="first">The bytes sent at once.</param>
    /// <param name="second">The bytes sent once <paramref name="resume"/> completes.</param>
    /// <param name="resume">Lets the rest go (a delay, or a signal of the test).</param>
    public SplitBody(string contentType, byte[] first, byte[] second, Func<Task> resume)
    {
        _first = first;
        _second = second;
        _resume = resume;
        Headers.ContentType = new MediaTypeHeaderValue(contentType);
    }

    /// <summary>Completes once the first part has been sent and flushed.</summary>
    public Task FirstSent => _firstSent.Task;

    /// <summary>A JSON text sent half, then the rest after <paramref name="pause"/>.</summary>
    public static SplitBody Json(string json, TimeSpan pause)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        return new SplitBody("application/json", bytes[..(bytes.Length / 2)], bytes[(bytes.Length / 2)..], () => Task.Delay(pause));
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(_first);
        await stream.FlushAsync();
        _firstSent.TrySetResult();
        await _resume();
        await stream.WriteAsync(_second);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _first.Length + _second.Length;
        return true;
    }
}
