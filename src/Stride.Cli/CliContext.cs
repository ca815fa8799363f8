namespace Stride.Cli;

/// <summary>What a command reads from and writes to its surroundings; tests supply their own.</summary>
/// <param name="Output">Where results and progress go (stdout).</param>
/// <param name="Error">Where errors go (stderr).</param>
/// <param name="Environment">Reads an environment variable (STRIDE_URL, STRIDE_API_KEY).</param>
/// <param name="Interactive">Whether <paramref name="Output"/> is a terminal, so a live progress bar can be drawn.</param>
/// <param name="Http">The HTTP settings: timeouts, retries and, in tests, the handler to send through.</param>
/// <param name="WorkingDirectory">The directory git commands run in unless <c>--directory</c> says otherwise.</param>
internal sealed record CliContext(
    TextWriter Output,
    TextWriter Error,
    Func<string, string?> Environment,
    bool Interactive,
    HttpSettings Http,
    string WorkingDirectory)
{
    public static CliContext FromConsole() => new(
        Console.Out,
        Console.Error,
        System.Environment.GetEnvironmentVariable,
        Interactive: !Console.IsOutputRedirected,
        new HttpSettings(),
        System.Environment.CurrentDirectory);
}

/// <summary>How the CLI talks to the server.</summary>
/// <param name="Timeout">The limit of one attempt of one request.</param>
/// <param name="MaxRetries">Retries after the first attempt, on connection errors, timeouts, 5xx and 429.</param>
/// <param name="RetryDelay">The first retry's delay; later ones double it, with jitter. A 429's or 503's Retry-After wins.</param>
/// <param name="Handler">Sends the requests (null: a new <see cref="SocketsHttpHandler"/>); tests pass the test server's.</param>
internal sealed record HttpSettings(
    TimeSpan? Timeout = null,
    int MaxRetries = 4,
    TimeSpan? RetryDelay = null,
    HttpMessageHandler? Handler = null)
{
    public TimeSpan AttemptTimeout => Timeout ?? TimeSpan.FromSeconds(30);

    public TimeSpan FirstRetryDelay => RetryDelay ?? TimeSpan.FromSeconds(1);
}
