using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Stride.Tests.Shared;

/// <summary>The outcome of one run of the <c>stride</c> CLI: its exit code and both streams, untrimmed.</summary>
internal sealed record CliRun(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// The real Stride server as a separate OS process on a free local port, with its own SQLite file (or
/// a database it is given: several such nodes can share one PostgreSQL database) and a known bootstrap
/// key; and a way to run the real <c>stride</c> CLI against it. It can be killed as a crash would kill
/// it, and started again on the same database and home folder.
/// </summary>
/// <remarks>
/// A separate process rather than the ASP.NET test host, because the CLI is itself a separate process
/// and needs a real address to talk to. Both binaries are the ones built beside the sources, in the
/// configuration of this test assembly: the test project references both projects, so they are built
/// before it.
/// </remarks>
internal sealed class StrideServerProcess : IAsyncDisposable
{
    /// <summary>The admin (and operator) key of the server's default organization.</summary>
    public const string BootstrapKey = "stride_cli_test_bootstrap_key_0123456789";

    /// <summary>Names the repository root when the tests run from a build outside it.</summary>
    public const string RepositoryRootVariable = "STRIDE_REPO_ROOT";

    /// <summary>A cold start (JIT, migrations) takes a few seconds; a hang must still fail the test.</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How often a free port may turn out taken by the time the server binds it.</summary>
    private const int StartAttempts = 3;

    private const int SigTerm = 15;

    /// <summary>The exit code .NET reports on Unix for a process ended by SIGKILL: 128 + 9.</summary>
    private const int KilledExitCode = 137;

    private readonly string _directory;
    private readonly string _database;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly StringBuilder _output;
    private Process _process;
    private bool _disposed;

    private StrideServerProcess(
        Process process, string directory, string database, IReadOnlyDictionary<string, string> settings, StringBuilder output, int port)
    {
        _process = process;
        _directory = directory;
        _database = database;
        _settings = settings;
        _output = output;
        BaseUrl = Url(port);
    }

    /// <summary>
    /// Where the server listens, without a trailing slash: <c>http://127.0.0.1:PORT</c>. A restart
    /// keeps it unless another process took the port meanwhile.
    /// </summary>
    public string BaseUrl { get; private set; }

    /// <summary>The server's SQLite file.</summary>
    public string DatabasePath => Path.Combine(_directory, "stride.db");

    /// <summary>Everything the server wrote to stdout and stderr so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Whether the server process has exited (it should not, until disposed or killed).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>
    /// The folder holding <c>Stride.slnx</c>: <see cref="RepositoryRootVariable"/> when set, else the
    /// first such folder above the test binaries.
    /// </summary>
    public static string RepositoryRoot
    {
        get
        {
            if (Environment.GetEnvironmentVariable(RepositoryRootVariable) is { Length: > 0 } overridden)
            {
                return Path.GetFullPath(overridden);
            }

            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Stride.slnx")))
                {
                    return dir.FullName;
                }
            }

            throw new DirectoryNotFoundException(
                $"No Stride.slnx above {AppContext.BaseDirectory}; set {RepositoryRootVariable} to the repository root.");
        }
    }

    /// <summary>The build configuration of this test assembly ("Debug" or "Release"), which the binaries are looked for in.</summary>
    public static string Configuration
        => typeof(StrideServerProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } c
            ? c
            : "Debug";

    /// <summary>The server's built assembly, <c>src/Stride.Server/bin/CONFIGURATION/net10.0/Stride.Server.dll</c>.</summary>
    public static string ServerPath => BuiltAssembly("Stride.Server", "Stride.Server.dll");

    /// <summary>The CLI's built assembly, <c>src/Stride.Cli/bin/CONFIGURATION/net10.0/stride.dll</c>.</summary>
    public static string CliPath => BuiltAssembly("Stride.Cli", "stride.dll");

    /// <summary>
    /// Starts the server on a free port and waits until <c>/readyz</c> answers 200.
    /// </summary>
    /// <param name="ct">Stops waiting.</param>
    /// <param name="database">The connection string of the database to use (<c>Stride__Database</c>); a new SQLite file when null.</param>
    /// <param name="settings">More environment variables of the server (configuration such as <c>Stride__Limits__MaxRequestBodyBytes</c>).</param>
    /// <exception cref="FileNotFoundException">The server is not built in this configuration.</exception>
    /// <exception cref="InvalidOperationException">The server exited or did not get ready in time; the message holds its output.</exception>
    public static async Task<StrideServerProcess> StartAsync(
        CancellationToken ct, string? database = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var dll = RequireBuilt(ServerPath, "src/Stride.Server");
        for (var attempt = 1; ; attempt++)
        {
            var server = Launch(dll, database, settings ?? new Dictionary<string, string>());
            try
            {
                await server.WaitUntilReadyAsync(ct);
                return server;
            }
            catch (ServerExitedException) when (attempt < StartAttempts && server.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // Another process took the port between our probe and the server's bind: pick another.
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>A client for <see cref="BaseUrl"/> holding <paramref name="key"/>, the bootstrap key when not given.</summary>
    public HttpClient CreateClient(string? key = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key ?? BootstrapKey);
        return client;
    }

    /// <summary>Creates a key of the default organization through <c>POST /api/v1/keys</c> and returns its secret.</summary>
    /// <exception cref="InvalidOperationException">The server did not answer 201.</exception>
    public async Task<string> CreateKeyAsync(string name, params string[] scopes)
    {
        // params leaves no place for a token parameter; the test's own token stops this with the test.
        var ct = TestContext.Current.CancellationToken;
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync("/api/v1/keys", new { name, scopes }, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"POST /api/v1/keys answered {(int)response.StatusCode}: {body}");
        }

        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("key").GetString()
            ?? throw new InvalidOperationException($"POST /api/v1/keys answered no key: {body}");
    }

    /// <summary>
    /// Ends the server with SIGKILL, as a crash or the OOM killer would: no shutdown, no flush, no
    /// response to requests in flight. Its folder and database stay, for <see cref="RestartAsync"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server had already exited, or did not end by SIGKILL.</exception>
    public async Task KillAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        if (_process.HasExited)
        {
            throw new InvalidOperationException($"The Stride server had already exited with {_process.ExitCode}. Its output:\n{Output}");
        }

        // `dotnet Stride.Server.dll` runs the server in the host process itself (no child process),
        // so this is the server; Kill sends SIGKILL on Unix. Should the server exit on its own in
        // between, the exit code below tells.
        _process.Kill();

        // A killed process cannot delay its end; 10 s is only so that a broken kill fails the test.
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(wait.Token);
        if (!OperatingSystem.IsWindows() && _process.ExitCode != KilledExitCode)
        {
            throw new InvalidOperationException(
                $"The Stride server ended with {_process.ExitCode}, not by SIGKILL ({KilledExitCode}). Its output:\n{Output}");
        }
    }

    /// <summary>
    /// Asks the server to stop with SIGTERM, as a service manager or container runtime does, and waits
    /// for it to exit. Its folder and database stay, for <see cref="RestartAsync"/>.
    /// </summary>
    /// <returns>The server's exit code.</returns>
    /// <exception cref="TimeoutException">The server had not exited after <paramref name="wait"/>.</exception>
    public async Task<int> TerminateAsync(TimeSpan wait)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill(SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        using var timeout = new CancellationTokenSource(wait);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The Stride server did not exit within {wait} of SIGTERM. Its output:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>
    /// Starts the server again after <see cref="KillAsync"/>, on the same database, home folder and
    /// (when still free) port, and waits until <c>/readyz</c> answers 200. <see cref="Output"/> goes on.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server still runs, or did not get ready; the message holds its output.</exception>
    public async Task RestartAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_process.HasExited)
        {
            throw new InvalidOperationException("The Stride server still runs: kill it before restarting it.");
        }

        var dll = RequireBuilt(ServerPath, "src/Stride.Server");
        var port = new Uri(BaseUrl).Port;
        for (var attempt = 1; ; attempt++)
        {
            var since = Output.Length;
            Append(_output, $"[test] restarting on port {port}");
            _process.Dispose();
            _process = Spawn(dll, _database, _settings, _directory, port, _output);
            BaseUrl = Url(port);
            try
            {
                await WaitUntilReadyAsync(ct);
                return;
            }
            catch (ServerExitedException) when (attempt < StartAttempts && Output[since..].Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                port = FreePort();
            }
        }
    }

    /// <summary>Stops the server (its whole process tree) and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopAsync(_process);
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leftovers in the temp folder do not change a test's outcome.
        }
    }

    /// <summary>
    /// Runs <c>dotnet stride.dll ARGS</c> and returns its exit code and output. <c>STRIDE_*</c> and
    /// <c>GIT_*</c> variables of the test process are not passed on, so that a developer's shell
    /// (<c>STRIDE_URL</c>, <c>STRIDE_API_KEY</c>) or a git hook (<c>GIT_DIR</c>) cannot change the
    /// outcome; <paramref name="environment"/> sets variables, and a null value removes one.
    /// Standard input is empty.
    /// </summary>
    /// <param name="workingDirectory">Where the CLI runs (say a git repository made for the test); the test's current directory when not given.</param>
    /// <exception cref="FileNotFoundException">The CLI is not built in this configuration.</exception>
    /// <exception cref="TimeoutException">The CLI ran longer than 60 s; it was killed.</exception>
    public static async Task<CliRun> RunCliAsync(
        IEnumerable<string> args,
        IDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        CancellationToken ct = default)
    {
        var dll = RequireBuilt(CliPath, "src/Stride.Cli");
        var start = DotnetStart(dll, args);
        start.WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory;   // where a user would run it, not the binary's folder

        foreach (var name in start.Environment.Keys
            .Where(k => k.StartsWith("STRIDE_", StringComparison.Ordinal) || k.StartsWith("GIT_", StringComparison.Ordinal))
            .ToArray())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        start.RedirectStandardInput = true;
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start dotnet {dll}.");
        process.StandardInput.Close();   // a CLI that reads stdin sees it empty instead of waiting

        // Both streams are read while the process runs, so that neither pipe fills and blocks it.
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CliTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await StopAsync(process);
            ct.ThrowIfCancellationRequested();
            throw new TimeoutException(
                $"stride {string.Join(' ', start.ArgumentList.Skip(1))} ran longer than {CliTimeout.TotalSeconds} s and was killed.\n"
                + $"stdout:\n{await stdout}\nstderr:\n{await stderr}");
        }

        return new CliRun(process.ExitCode, await stdout, await stderr);
    }

    private static StrideServerProcess Launch(string dll, string? database, IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        var directory = Directory.CreateTempSubdirectory("stride-server-").FullName;
        var output = new StringBuilder();
        database ??= $"Data Source={Path.Combine(directory, "stride.db")}";
        Process process;
        try
        {
            process = Spawn(dll, database, settings, directory, port, output);
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }

        return new StrideServerProcess(process, directory, database, settings, output, port);
    }

    /// <summary>Starts <c>dotnet Stride.Server.dll</c> on <paramref name="port"/>, its output going to <paramref name="output"/>.</summary>
    private static Process Spawn(
        string dll, string database, IReadOnlyDictionary<string, string> settings, string directory, int port, StringBuilder output)
    {
        var start = DotnetStart(dll, ["--urls", Url(port)]);
        start.Environment["Stride__Database"] = database;
        start.Environment["STRIDE_BOOTSTRAP_KEY"] = BootstrapKey;
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        // A home folder of its own: nothing a node keeps under ~ (such as a data-protection key ring)
        // is shared with other nodes through the machine, only through the database.
        start.Environment["HOME"] = directory;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static string Url(int port) => $"http://127.0.0.1:{port}";

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private async Task WaitUntilReadyAsync(CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(ct);   // lets the last output lines arrive
                throw new ServerExitedException(
                    $"The Stride server exited with {_process.ExitCode} before it was ready. Its output:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync("/readyz", ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                // Not listening yet, or a request that timed out while the server starts: ask again.
            }

            if (deadline.Elapsed > ReadyTimeout)
            {
                throw new InvalidOperationException(
                    $"The Stride server at {BaseUrl} was not ready within {ReadyTimeout.TotalSeconds} s. Its output:\n{Output}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }

    /// <summary>Kills the process tree if it still runs, and waits for it to be gone.</summary>
    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            // A process that outlives a kill by 10 s is beyond what a test can do anything about.
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;   // the end of the stream
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    /// <summary>
    /// A port that was free a moment ago. Another process may take it before the server binds it;
    /// <see cref="StartAsync"/> then tries another.
    /// </summary>
    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary><c>dotnet DLL ARGS</c>, run from the DLL's folder (where the server finds its appsettings.json) with both output streams redirected.</summary>
    private static ProcessStartInfo DotnetStart(string dll, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Dotnet())
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>
    /// The dotnet host that runs these tests (the test binary is an apphost, so not
    /// <see cref="Environment.ProcessPath"/>): <c>DOTNET_HOST_PATH</c>, else the host above the
    /// running runtime's folder, else <c>dotnet</c> on the PATH.
    /// </summary>
    private static string Dotnet()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        // The runtime lives in DOTNET_ROOT/shared/Microsoft.NETCore.App/VERSION/.
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location);
        if (runtime is not null)
        {
            var root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
            var candidate = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return "dotnet";
    }

    private static string BuiltAssembly(string project, string file)
        => Path.Combine(RepositoryRoot, "src", project, "bin", Configuration, "net10.0", file);

    private static string RequireBuilt(string path, string project)
        => File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"{path} does not exist: build {project} in {Configuration} first (dotnet build {project} -c {Configuration}).", path);

    /// <summary>The server process ended before it was ready.</summary>
    private sealed class ServerExitedException(string message) : InvalidOperationException(message);
}
