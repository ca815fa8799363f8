using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Stride.Dashboard.Tests;

/// <summary>
/// The real server on Kestrel at a free local port (a browser needs a real address), with its own
/// SQLite file, a known bootstrap key and a clock fixed at the golden datasets' "now".
/// </summary>
internal sealed class DashboardServer : WebApplicationFactory<Program>
{
    public const string BootstrapKey = "stride_dashboard_test_bootstrap_key_0123456789";

    /// <summary>2026-09-21T00:00:00Z: the <c>to</c> of the golden queries, so that presets give their windows.</summary>
    public static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_789_948_800);

    private readonly string _directory = Directory.CreateTempSubdirectory("stride-dashboard-test-").FullName;

    private DashboardServer()
    {
        UseKestrel();
    }

    public string BaseUrl { get; private set; } = "";

    public static DashboardServer Start()
    {
        var server = new DashboardServer();
        server.StartServer();
        var addresses = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        server.BaseUrl = addresses.Addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        return server;
    }

    /// <summary>A client for the API holding <paramref name="key"/> (the bootstrap key when not given).</summary>
    public HttpClient Api(string? key = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key ?? BootstrapKey);
        return client;
    }

    /// <summary>Creates a key of the default organization; returns its id and secret.</summary>
    public async Task<(long Id, string Key)> CreateKeyAsync(params string[] scopes)
    {
        using var admin = Api();
        using var response = await admin.PostAsJsonAsync("/api/v1/keys", new { name = "dashboard " + string.Join("+", scopes), scopes },
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return (created.GetProperty("id").GetInt64(), created.GetProperty("key").GetString()!);
    }

    public async Task RevokeKeyAsync(long id)
    {
        using var admin = Api();
        using var response = await admin.DeleteAsync($"/api/v1/keys/{id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>Pushes a golden dataset's events, in order, through <c>POST /api/v1/events</c>.</summary>
    public async Task PushGoldenAsync(string file)
    {
        var events = GoldenData.Load(file).GetProperty("events").GetRawText();
        using var admin = Api();
        using var response = await admin.PostAsync("/api/v1/events", new StringContent(events, Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The body of <c>GET /api/v1/metrics</c> for a query string.</summary>
    public async Task<JsonElement> MetricsAsync(string queryString)
    {
        using var api = Api();
        using var response = await api.GetAsync("/api/v1/metrics" + queryString, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        // Host configuration, so that Program.cs sees it before the app is built (dotnet/aspnetcore#37680).
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stride:Database"] = $"Data Source={Path.Combine(_directory, "stride.db")}",
            ["STRIDE_BOOTSTRAP_KEY"] = BootstrapKey,
            ["urls"] = "http://127.0.0.1:0",
        }));
        builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning));
        return base.CreateHost(builder);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
        => builder.ConfigureTestServices(s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(new FixedClock(Now))));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left for the OS to clean up; the test outcome stands.
        }
    }

    /// <summary>A wall clock stopped at one instant; elapsed-time measurements still run.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
