using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;
using Npgsql;
using Stride.Server.Tests.Nodes;

namespace Stride.Server.Tests.Backup;

/// <summary>
/// The backup and restore procedures of docs/operations.md, done as written: a backup taken while the
/// server runs, restored under a new server, gives the same metrics, lists and working keys.
/// </summary>
public sealed class BackupRestoreTests
{
    private const string Window = "from=2026-05-01&to=2026-07-01";

    [Fact]
    public async Task ASqliteBackupTakenWithVacuumIntoWhileTheServerRunsRestoresWholeUnderANewServer()
    {
        var folder = Directory.CreateTempSubdirectory("stride-restore-").FullName;
        try
        {
            await using var running = new StrideApplication();
            var (key, before) = await FillAsync(running);

            await using (var connection = new SqliteConnection($"Data Source={running.DatabasePath}"))
            {
                await connection.OpenAsync(Http.Ct);
                await using var backup = connection.CreateCommand();
                backup.CommandText = "VACUUM INTO $path";
                backup.Parameters.AddWithValue("$path", Path.Combine(folder, "stride.db"));
                await backup.ExecuteNonQueryAsync(Http.Ct);
            }

            await AddAfterBackupAsync(running);
            await using var restored = new StrideApplication(directory: folder);
            await AssertSameAsync(restored, key, before);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task APostgresDumpRestoredIntoANewDatabaseIsAWholeStride()
    {
        await using var source = await TestDatabase.CreateAsync(Http.Ct);
        await using var target = await TestDatabase.CreateAsync(Http.Ct);
        await using var running = new StrideApplication(new Dictionary<string, string?> { ["Stride:Database"] = source.ConnectionString });
        var (key, before) = await FillAsync(running);
        var dump = Path.Combine(Path.GetTempPath(), $"stride-{Guid.NewGuid():N}.dump");
        try
        {
            await RunAsync("pg_dump", "--format=custom", $"--file={dump}", $"--dbname={Url(source.ConnectionString)}");
            await AddAfterBackupAsync(running);
            await RunAsync("pg_restore", "--no-owner", $"--dbname={Url(target.ConnectionString)}", dump);

            await using var restored = new StrideApplication(new Dictionary<string, string?> { ["Stride:Database"] = target.ConnectionString });
            await AssertSameAsync(restored, key, before);
        }
        finally
        {
            File.Delete(dump);
            NpgsqlConnection.ClearAllPools();
        }
    }

    /// <summary>Pushes a few events of every kind and makes a read key; returns the key and what a reader sees.</summary>
    private static async Task<(string Key, string[] Seen)> FillAsync(StrideApplication app)
    {
        using var admin = app.CreateAdminClient();
        var ndjson = string.Join('\n',
            """{"type":"change","identifier":"c1","timestamp":"2026-06-01T08:00:00Z","system":"api"}""",
            """{"type":"change","identifier":"c2","timestamp":"2026-06-01T09:00:00Z","system":"api"}""",
            """{"type":"deployment","identifier":"v1","timestamp":"2026-06-01T12:00:00Z","changes":["c1","c2"],"system":"api"}""",
            """{"type":"deployment","identifier":"v2","timestamp":"2026-06-03T12:00:00Z","changes":[],"system":"web"}""",
            """{"type":"incident","identifier":"i1","timestampCreated":"2026-06-01T13:00:00Z","timestampResolved":"2026-06-01T15:30:00Z","system":"api"}""");
        (await admin.PostJsonAsync("/api/v1/events", ndjson, "application/x-ndjson")).EnsureSuccessStatusCode();
        var key = await app.CreateKeyAsync("read");
        return (key, await SeenAsync(app, key));
    }

    private static async Task AddAfterBackupAsync(StrideApplication app)
    {
        using var admin = app.CreateAdminClient();
        (await admin.PostJsonAsync("/api/v1/deployments", """{"identifier":"v3","timestamp":"2026-06-10T12:00:00Z","system":"api"}"""))
            .EnsureSuccessStatusCode();
    }

    private static async Task AssertSameAsync(StrideApplication restored, string key, string[] before)
    {
        var after = await SeenAsync(restored, key);
        Assert.Equal(before, after);
        Assert.Contains("\"deployments\":1,", after[0], StringComparison.Ordinal);   // v1 of api, not v3 pushed after the backup
        using var admin = restored.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/keys", Http.Ct)).StatusCode);
    }

    /// <summary>What a reader with <paramref name="key"/> gets from the metrics and the lists, as raw JSON.</summary>
    private static async Task<string[]> SeenAsync(StrideApplication app, string key)
    {
        using var reader = app.CreateClient(key);
        var seen = new List<string>();
        foreach (var url in new[]
        {
            $"/api/v1/metrics?{Window}&system=api", $"/api/v1/metrics?{Window}", $"/api/v1/deployments?{Window}",
            $"/api/v1/changes?{Window}", $"/api/v1/incidents?{Window}", "/api/v1/systems",
        })
        {
            var response = await reader.GetAsync(url, Http.Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            seen.Add(await response.Content.ReadAsStringAsync(Http.Ct));
        }

        return [.. seen];
    }

    private static string Url(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgresql://{b.Username}@{b.Host}:{b.Port}/{b.Database}";
    }

    /// <summary>Runs a PostgreSQL client tool (from PATH, else Debian's /usr/lib/postgresql/N/bin) and fails on a non-zero exit.</summary>
    private static async Task RunAsync(string tool, params string[] args)
    {
        var path = Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists)
            ?? Directory.GetDirectories("/usr/lib/postgresql").Order().Select(d => Path.Combine(d, "bin", tool)).LastOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"{tool} is not installed (Debian: apt-get install postgresql-client).");
        var start = new ProcessStartInfo(path) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync(Http.Ct);
        await process.StandardOutput.ReadToEndAsync(Http.Ct);
        await process.WaitForExitAsync(Http.Ct);
        Assert.True(process.ExitCode == 0, $"{tool} exited with {process.ExitCode}: {await error}");
    }
}
