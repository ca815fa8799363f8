using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Stride.Server.Tests;

/// <summary>The real server on its own SQLite file, reached through the ASP.NET test host.</summary>
/// <param name="settings">Configuration added to the server's (say <c>Stride:KeySecret</c>).</param>
/// <param name="directory">
/// The folder of the SQLite file, for a server started again on another's database; a new temp folder
/// (deleted with the application) when null. A given folder is left for its owner to delete.
/// </param>
internal sealed class StrideApplication(IReadOnlyDictionary<string, string?>? settings = null, string? directory = null)
    : WebApplicationFactory<Program>
{
    public const string BootstrapKey = "stride_test_bootstrap_key_0123456789";

    private readonly string _directory = directory ?? Directory.CreateTempSubdirectory("stride-test-").FullName;
    private readonly bool _ownsDirectory = directory is null;

    public string Folder => _directory;

    public string DatabasePath => Path.Combine(_directory, "stride.db");

    /// <summary>One value read straight from the server's SQLite file (read-only, beside the running server).</summary>
    public async Task<T> QueryScalarAsync<T>(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    /// <summary>A client holding the bootstrap (admin) key.</summary>
    public HttpClient CreateAdminClient() => CreateClient(BootstrapKey);

    public HttpClient CreateClient(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Creates a key with the given scopes through the admin API and returns a client holding it.</summary>
    public async Task<HttpClient> CreateClientWithScopesAsync(params string[] scopes)
        => CreateClient(await CreateKeyAsync(scopes));

    public async Task<string> CreateKeyAsync(params string[] scopes)
    {
        using var admin = CreateAdminClient();
        var response = await admin.PostAsJsonAsync("/api/v1/keys", new { name = "test " + string.Join("+", scopes), scopes },
            TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<CreatedKey>(TestContext.Current.CancellationToken);
        return created!.Key;
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        // Host configuration, so that Program.cs sees it before the app is built (dotnet/aspnetcore#37680).
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stride:Database"] = $"Data Source={DatabasePath}",
            ["STRIDE_BOOTSTRAP_KEY"] = BootstrapKey,
        }));
        if (settings is not null)
        {
            builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(settings));
        }

        builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        return base.CreateHost(builder);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (!_ownsDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left for the OS to clean up; the test outcome stands.
        }
    }

    private sealed record CreatedKey(long Id, string Key);
}
