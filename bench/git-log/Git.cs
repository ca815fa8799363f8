using System.Diagnostics;
using System.Text;

namespace GitLogBench;

/// <summary>Runs the git executable for the set-up steps (not what is measured: see <see cref="GitCli"/>).</summary>
internal static class Git
{
    public static string Run(string directory, params string[] args) => Run(directory, stdin: null, args);

    public static string Run(string directory, Action<TextWriter>? stdin, params string[] args)
    {
        var (code, output, error) = TryRun(directory, stdin, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} (in {directory}) exited {code}: {error.Trim()}");
        }

        return output;
    }

    public static (int ExitCode, string Output, string Error) TryRun(string directory, params string[] args)
        => TryRun(directory, stdin: null, args);

    public static (int ExitCode, string Output, string Error) TryRun(string directory, Action<TextWriter>? stdin, string[] args)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["LC_ALL"] = "C";
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_AUTHOR_NAME"] = "Bench";
        start.Environment["GIT_AUTHOR_EMAIL"] = "bench@example.com";
        start.Environment["GIT_COMMITTER_NAME"] = "Bench";
        start.Environment["GIT_COMMITTER_EMAIL"] = "bench@example.com";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("git could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            using var writer = new StreamWriter(process.StandardInput.BaseStream, new UTF8Encoding(false), 1 << 16);
            writer.NewLine = "\n";
            stdin(writer);
        }

        process.WaitForExit();
        return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }
}
