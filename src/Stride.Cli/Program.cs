namespace Stride.Cli;

/// <summary>The <c>stride</c> executable.</summary>
/// <remarks>A named entry point rather than top-level statements: tests reference both this and the server, whose <c>Program</c> is global.</remarks>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // Ctrl+C cancels the running command (a request in flight, a git process) instead of killing the process.
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        return await StrideCli.RunAsync(args, CliContext.FromConsole(), cancellation.Token);
    }
}
