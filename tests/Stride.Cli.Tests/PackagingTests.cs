using System.Diagnostics;
using Stride.Cli.Tests.Support;

namespace Stride.Cli.Tests;

/// <summary>The README's install steps: the package installs as a .NET tool named <c>stride</c>.</summary>
public sealed class PackagingTests
{
    [Fact]
    public async Task The_package_installs_as_the_stride_tool()
    {
        var folder = Directory.CreateTempSubdirectory("stride-pack-").FullName;
        try
        {
            var project = Path.Combine(StrideServerProcess.RepositoryRoot, "src", "Stride.Cli", "Stride.Cli.csproj");
            await RunAsync("dotnet", "pack", project, "-c", StrideServerProcess.Configuration, "--no-build", "-o", folder);
            Assert.Single(Directory.GetFiles(folder, "Stride.Cli.*.nupkg"));

            var tools = Path.Combine(folder, "tools");
            await RunAsync("dotnet", "tool", "install", "--tool-path", tools, "--add-source", folder, "Stride.Cli");
            var version = await RunAsync(Path.Combine(tools, "stride"), "version");
            Assert.StartsWith("stride ", version);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}:\n{await output}\n{await error}");
        return await output;
    }
}
