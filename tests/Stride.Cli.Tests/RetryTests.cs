using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Stride.Cli.Tests;

/// <summary>Timeouts and retries: transient failures are retried with backoff, other 4xx never.</summary>
public sealed class RetryTests : IAsyncLifetime
{
    private readonly CliHarness _cli = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _cli.DisposeAsync();

    private Task<CliResult> PushChangeAsync() => _cli.RunAsync("push", "change", "--identifier", "c1", "--timestamp", "1700000000");

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task Transient_answers_are_retried_until_the_server_stores(HttpStatusCode status)
    {
        _cli.Faults.Enqueue(() => new HttpResponseMessage(status));
        _cli.Faults.Enqueue(() => new HttpResponseMessage(status));
        var result = await PushChangeAsync();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, _cli.Requests.Count);
        Assert.All(_cli.Requests, r => Assert.Equal(_cli.Requests[0].Body, r.Body));   // the same batch each time
    }

    [Fact]
    public async Task A_server_that_keeps_failing_exits_1_after_the_retries()
    {
        for (var i = 0; i < 10; i++)
        {
            _cli.Faults.Enqueue(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        }

        var result = await PushChangeAsync();
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("503", result.Error);
        Assert.Contains("kept failing", result.Error);
        Assert.Equal(1 + _cli.Http.MaxRetries, _cli.Requests.Count);
    }

    [Fact]
    public async Task Retry_after_is_honoured()
    {
        _cli.Faults.Enqueue(() => new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new(TimeSpan.FromSeconds(1)) } });
        var clock = Stopwatch.StartNew();
        var result = await PushChangeAsync();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.95), $"retried after {clock.Elapsed}, before the server's Retry-After of 1 s");
        Assert.Equal(2, _cli.Requests.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge)]
    public async Task Other_client_errors_are_final(HttpStatusCode status)
    {
        _cli.Faults.Enqueue(() => new HttpResponseMessage(status));
        var result = await PushChangeAsync();
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), result.Error);
        Assert.Single(_cli.Requests);
    }

    [Fact]
    public async Task A_slow_answer_times_out_and_is_retried()
    {
        // Long enough for the real answer on a loaded machine, far shorter than the stall.
        _cli.Http = _cli.Http with { Timeout = TimeSpan.FromSeconds(3) };
        _cli.Stalls.Enqueue(TimeSpan.FromSeconds(60));
        var result = await PushChangeAsync();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, _cli.Requests.Count);
    }

    [Fact]
    public async Task An_unreachable_server_exits_1_and_says_so()
    {
        // A port nothing listens on: the connection is refused every time.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(output, error, _ => null, Interactive: false,
            new HttpSettings(TimeSpan.FromSeconds(5), MaxRetries: 2, RetryDelay: TimeSpan.FromMilliseconds(10)), Environment.CurrentDirectory);
        var code = await StrideCli.RunAsync(
            ["push", "change", "--identifier", "c1", "--timestamp", "1700000000", "--api-key", "k", "--base-url", $"http://127.0.0.1:{port}"],
            context, TestContext.Current.CancellationToken);
        Assert.Equal(1, code);
        Assert.Contains($"Could not reach the Stride server at http://127.0.0.1:{port}/", error.ToString());
    }
}
