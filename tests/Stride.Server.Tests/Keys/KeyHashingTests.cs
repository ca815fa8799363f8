using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Stride.Server.Tests.Keys;

/// <summary>How keys are stored: HMAC-SHA256 with the server's secret, read back from the real SQLite file.</summary>
public sealed class KeyHashingTests
{
    private const string Secret = "a-configured-key-secret-of-48-characters-0123456";

    [Fact]
    public async Task AKeyIsStoredAsItsHmacWithTheConfiguredSecret()
    {
        await using var app = new StrideApplication(new Dictionary<string, string?> { ["Stride:KeySecret"] = Secret });
        using var admin = app.CreateAdminClient();
        var created = await (await admin.PostObjectAsync("/api/v1/keys", new { name = "ci", scopes = new[] { "ingest" } })).ReadJsonAsync();
        var key = created.GetProperty("key").GetString()!;

        var hash = await StoredHashAsync(app, created.GetProperty("id").GetInt64());

        Assert.Equal(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(key)), hash);
        Assert.Equal(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(StrideApplication.BootstrapKey)),
            await StoredHashAsync(app, 1));
        var stored = await app.QueryScalarAsync<byte[]>("SELECT value FROM server_secrets WHERE name = 'api-key-hmac'");
        Assert.NotEqual(Encoding.UTF8.GetBytes(Secret), stored);   // the configured one is never stored
    }

    [Fact]
    public async Task WithoutAConfiguredSecretTheServerKeepsOneInTheDatabaseAndKeysWorkAfterARestart()
    {
        var folder = Directory.CreateTempSubdirectory("stride-test-").FullName;
        try
        {
            string key;
            byte[] secret;
            await using (var first = new StrideApplication(directory: folder))
            {
                using var admin = first.CreateAdminClient();
                key = (await (await admin.PostObjectAsync("/api/v1/keys", new { name = "ci", scopes = new[] { "read" } })).ReadJsonAsync())
                    .GetProperty("key").GetString()!;
                secret = await first.QueryScalarAsync<byte[]>("SELECT value FROM server_secrets WHERE name = 'api-key-hmac'");
                Assert.Equal(32, secret.Length);
                Assert.Equal(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(key)), await StoredHashAsync(first, 2));
            }

            await using var second = new StrideApplication(directory: folder);
            using var reader = second.CreateClient(key);
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/v1/systems", Http.Ct)).StatusCode);
            Assert.Equal(secret, await second.QueryScalarAsync<byte[]>("SELECT value FROM server_secrets WHERE name = 'api-key-hmac'"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task KeysSurviveSettingASecretOnAServerThatKeptItsOwnAndRotatingItWithThePreviousOne()
    {
        var folder = Directory.CreateTempSubdirectory("stride-test-").FullName;
        try
        {
            string key;
            await using (var own = new StrideApplication(directory: folder))
            {
                using var admin = own.CreateAdminClient();
                key = (await (await admin.PostObjectAsync("/api/v1/keys", new { name = "ci", scopes = new[] { "read" } })).ReadJsonAsync())
                    .GetProperty("key").GetString()!;
            }

            const string Next = "the-next-configured-key-secret-0123456789abcdef";
            await AssertKeyWorksAsync(folder, key, new() { ["Stride:KeySecret"] = Secret }, HttpStatusCode.OK, Secret);
            await AssertKeyWorksAsync(folder, key, new() { ["Stride:KeySecret"] = Next, ["Stride:PreviousKeySecret"] = Secret }, HttpStatusCode.OK, Next);
            await AssertKeyWorksAsync(folder, key, new() { ["Stride:KeySecret"] = Next }, HttpStatusCode.OK, Next);
            await AssertKeyWorksAsync(folder, key, new() { ["Stride:KeySecret"] = "yet-another-secret-nobody-told-the-keys-about" }, HttpStatusCode.Unauthorized, Next);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AKeyStoredWithTheOlderUnkeyedHashStillWorksAndIsRewrittenToTheKeyedOne()
    {
        await using var app = new StrideApplication(new Dictionary<string, string?> { ["Stride:KeySecret"] = Secret });
        using var admin = app.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/keys", Http.Ct)).StatusCode);   // started and migrated
        const string Legacy = "stride_a_key_made_by_an_earlier_version_0123456789";
        await ExecuteAsync(app, """
            INSERT INTO api_keys (id, org, name, prefix, hash, scopes, created_at)
            VALUES (50, 1, 'old', 'stride_a_ke', $hash, 'read', 1780000000)
            """, SHA256.HashData(Encoding.UTF8.GetBytes(Legacy)));

        using var old = app.CreateClient(Legacy);
        Assert.Equal(HttpStatusCode.OK, (await old.GetAsync("/api/v1/systems", Http.Ct)).StatusCode);

        Assert.Equal(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(Legacy)), await StoredHashAsync(app, 50));
        using var again = app.CreateClient(Legacy);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/api/v1/systems", Http.Ct)).StatusCode);
    }

    [Fact]
    public async Task AConfiguredSecretShorterThan32CharactersStopsTheServerAtStart()
    {
        await using var app = new StrideApplication(new Dictionary<string, string?> { ["Stride:KeySecret"] = "too-short" });

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var client = app.CreateAdminClient();
            await client.GetAsync("/api/v1/keys", Http.Ct);
        });

        Assert.Contains("Stride:KeySecret is too short", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeysLastUseIsListedAndNullBeforeIt()
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();
        var created = await (await admin.PostObjectAsync("/api/v1/keys", new { name = "ci", scopes = new[] { "read" } })).ReadJsonAsync();
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await ListedAsync(admin, id)).GetProperty("lastUsedAt").ValueKind);

        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var reader = app.CreateClient(created.GetProperty("key").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/v1/systems", Http.Ct)).StatusCode);

        var lastUsed = DateTimeOffset.Parse((await ListedAsync(admin, id)).GetProperty("lastUsedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(lastUsed.ToUnixTimeSeconds(), before, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }

    /// <summary>Starts a server on the folder's database with <paramref name="settings"/>, uses the key (id 2), checks the answer and the stored hash.</summary>
    private static async Task AssertKeyWorksAsync(
        string folder, string key, Dictionary<string, string?> settings, HttpStatusCode expected, string storedUnder)
    {
        await using var app = new StrideApplication(settings, folder);
        using var client = app.CreateClient(key);
        Assert.Equal(expected, (await client.GetAsync("/api/v1/systems", Http.Ct)).StatusCode);
        Assert.Equal(HMACSHA256.HashData(Encoding.UTF8.GetBytes(storedUnder), Encoding.UTF8.GetBytes(key)), await StoredHashAsync(app, 2));
    }

    private static async Task<System.Text.Json.JsonElement> ListedAsync(HttpClient admin, long id)
        => (await (await admin.GetAsync("/api/v1/keys", Http.Ct)).ReadJsonAsync()).EnumerateArray().Single(k => k.GetProperty("id").GetInt64() == id);

    private static Task<byte[]> StoredHashAsync(StrideApplication app, long id)
        => app.QueryScalarAsync<byte[]>($"SELECT hash FROM api_keys WHERE id = {id}");

    private static async Task ExecuteAsync(StrideApplication app, string sql, byte[] hash)
    {
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Default Timeout=30");
        await connection.OpenAsync(Http.Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$hash", hash);
        await command.ExecuteNonQueryAsync(Http.Ct);
    }
}
