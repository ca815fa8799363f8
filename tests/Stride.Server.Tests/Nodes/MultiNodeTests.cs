using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Stride.Server.Tests.Nodes;

/// <summary>
/// Several stateless server nodes on one PostgreSQL database (issue 6): two real server processes share a
/// new database on the test server (<c>STRIDE_TEST_POSTGRES</c>, which test.sh starts) and take the same
/// requests at once, as a load balancer and client retries would give them.
/// </summary>
public sealed class MultiNodeTests
{
    private const long Start = 1_780_000_000;
    private const int BatchSize = 25;

    [Fact]
    public async Task TwoNodesIngestingTheSameAndDifferentEventsAtOnceLoseNoneStoreNoneTwiceAndAgreeWithOneNode()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(ct);
        await using var nodes = await Nodes.StartAsync(database.ConnectionString, count: 2, ct);
        var batches = Stream().Chunk(BatchSize).Select(b => "[" + string.Join(',', b) + "]").ToList();

        // Every batch goes to one node, and again to the other (a client retrying elsewhere after a
        // timeout), all at once: the two nodes write the same keys and different keys concurrently.
        await Parallel.ForEachAsync(
            Enumerable.Range(0, batches.Count * 2),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (i, token) =>
            {
                var node = nodes[(i + i / batches.Count) % 2];
                using var response = await node.PostAsync("/api/v1/events", new StringContent(batches[i % batches.Count], Encoding.UTF8, "application/json"), token);
                Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(token));
            });

        // The same events through one node on its own SQLite file, one batch after another.
        await using var single = await StrideServerProcess.StartAsync(ct);
        using var reference = single.CreateClient();
        foreach (var batch in batches)
        {
            using var response = await reference.PostAsync("/api/v1/events", new StringContent(batch, Encoding.UTF8, "application/json"), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        foreach (var window in new[] { "", "&system=svc-2", "&environment=staging" })
        {
            var expected = await MetricsAsync(reference, window, ct);
            Assert.Equal(expected, await MetricsAsync(nodes[0], window, ct));
            Assert.Equal(expected, await MetricsAsync(nodes[1], window, ct));
        }

        // Nothing lost, nothing twice: every change and deployment is listed once.
        Assert.Equal(Changes, await CountAsync(nodes[0], "/api/v1/changes", ct));
        Assert.Equal(Deployments * 2, await CountAsync(nodes[1], "/api/v1/deployments", ct) + await CountAsync(nodes[1], "/api/v1/deployments", ct, "&environment=staging"));
        var all = JsonDocument.Parse(await MetricsAsync(nodes[0], "", ct)).RootElement;
        Assert.Equal(Deployments, all.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
        Assert.Equal(Changes, all.GetProperty("leadTimeForChanges").GetProperty("changes").GetInt32());
    }

    [Fact]
    public async Task AWriteAcknowledgedByOneNodeIsReadAtOnceOnTheOther()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(ct);
        await using var nodes = await Nodes.StartAsync(database.ConnectionString, count: 2, ct);

        for (var i = 1; i <= 20; i++)
        {
            var body = $$"""{"identifier": "v{{i}}", "timestamp": {{Start + i}}, "system": "api", "changes": []}""";
            using var written = await nodes[i % 2].PostAsync("/api/v1/deployments", new StringContent(body, Encoding.UTF8, "application/json"), ct);
            Assert.Equal(HttpStatusCode.OK, written.StatusCode);

            using var read = await nodes[(i + 1) % 2].GetAsync("/api/v1/deployments/latest?system=api", ct);
            var latest = JsonDocument.Parse(await read.Content.ReadAsStringAsync(ct)).RootElement;
            Assert.Equal($"v{i}", latest.GetProperty("identifier").GetString());
        }
    }

    [Fact]
    public async Task AKeyRevokedOnOneNodeIsRefusedOnTheOtherAtOnceNotWhenItsCacheExpires()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(ct);
        await using var nodes = await Nodes.StartAsync(database.ConnectionString, count: 2, ct);
        using var created = await nodes[0].PostAsync(
            "/api/v1/keys", new StringContent("""{"name": "ci", "scopes": ["read"]}""", Encoding.UTF8, "application/json"), ct);
        var key = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct)).RootElement;
        using var reader = new HttpClient { BaseAddress = new Uri(nodes.BaseUrl(1)) };
        reader.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key.GetProperty("key").GetString());
        using (var before = await reader.GetAsync("/api/v1/systems", ct))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);   // node 2 now holds the key in its cache
        }

        using var revoked = await nodes[0].DeleteAsync($"/api/v1/keys/{key.GetProperty("id").GetInt64()}", ct);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        // The notification crosses the database in milliseconds; the cache alone would keep the key
        // for KeyCache.Lifetime (5 s). Allow a second for a loaded machine.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var after = await reader.GetAsync("/api/v1/systems", ct);
            status = after.StatusCode;
        }
        while (status == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task ADashboardSignInOnOneNodeIsValidOnTheOther()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(ct);
        await using var nodes = await Nodes.StartAsync(database.ConnectionString, count: 2, ct);
        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        using var browser = new HttpClient(handler);

        // Sign in on node 1.
        await browser.SignInAsync(StrideServerProcess.BootstrapKey, nodes.BaseUrl(0));

        // Node 2 (another home folder, so no key ring on disk in common) reads node 1's cookie: the
        // cookies' encryption keys are in the database.
        foreach (var cookie in cookies.GetAllCookies().Cast<Cookie>())
        {
            cookies.Add(new Uri(nodes.BaseUrl(1)), new Cookie(cookie.Name, cookie.Value));
        }

        using var page = await browser.GetAsync($"{nodes.BaseUrl(1)}/", ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Sign out", await page.Content.ReadAsStringAsync(ct), StringComparison.OrdinalIgnoreCase);
    }

    private const int Systems = 4;
    private const int Deployments = 60;
    private const int ChangesPerDeployment = 3;
    private const int Changes = Deployments * ChangesPerDeployment;

    /// <summary>
    /// Events whose result does not depend on their order: each key is pushed once (its repeats are the
    /// same event), each deployment to production and staging, incidents resolved and open.
    /// </summary>
    private static IEnumerable<string> Stream()
    {
        var events = new List<string>();
        for (var d = 0; d < Deployments; d++)
        {
            var system = $"svc-{d % Systems}";
            var at = Start + (d * 3_600);
            var changes = Enumerable.Range(0, ChangesPerDeployment).Select(c => $"c{d}-{c}").ToList();
            events.AddRange(changes.Select((c, k) => $$"""{"type": "change", "identifier": "{{c}}", "timestamp": {{at - 600 - (k * 300)}}, "system": "{{system}}"}"""));
            var list = string.Join(',', changes.Select(c => $"\"{c}\""));
            events.Add($$"""{"type": "deployment", "identifier": "d{{d}}", "timestamp": {{at}}, "system": "{{system}}", "environment": "production", "changes": [{{list}}]}""");
            events.Add($$"""{"type": "deployment", "identifier": "d{{d}}", "timestamp": {{at - 1_200}}, "system": "{{system}}", "environment": "staging", "changes": [{{list}}]}""");
            if (d % 5 == 2)
            {
                var resolved = d % 10 == 2 ? (Start + (d * 3_600) + 1_800).ToString(System.Globalization.CultureInfo.InvariantCulture) : "null";
                events.Add($$"""{"type": "incident", "identifier": "i{{d}}", "timestampCreated": {{at + 900}}, "timestampResolved": {{resolved}}, "system": "{{system}}"}""");
            }
        }

        // Spread each deployment's events over batches, so concurrent batches meet in the middle of one.
        return events.Select((e, i) => (e, i)).OrderBy(p => (p.i * 7919) % events.Count).Select(p => p.e);
    }

    private static async Task<string> MetricsAsync(HttpClient client, string extra, CancellationToken ct)
    {
        using var response = await client.GetAsync($"/api/v1/metrics?from={Start - 86_400}&to={Start + 400 * 86_400}{extra}", ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return text;
    }

    private static async Task<int> CountAsync(HttpClient client, string path, CancellationToken ct, string extra = "")
    {
        var count = 0;
        var url = $"{path}?from={Start - 86_400}&to={Start + 400 * 86_400}&limit=50{extra}";
        string? cursor = "";
        while (cursor is not null)
        {
            using var response = await client.GetAsync(cursor.Length == 0 ? url : $"{url}&cursor={cursor}", ct);
            var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
            Assert.True(response.IsSuccessStatusCode, page.ToString());
            count += page.GetProperty("items").GetArrayLength();
            cursor = page.GetProperty("nextCursor").GetString();
        }

        return count;
    }

    /// <summary>Server processes sharing one database, each with a client holding the bootstrap key.</summary>
    private sealed class Nodes : IAsyncDisposable
    {
        private readonly List<StrideServerProcess> _servers;
        private readonly List<HttpClient> _clients;

        private Nodes(List<StrideServerProcess> servers)
        {
            _servers = servers;
            _clients = [.. servers.Select(s => s.CreateClient())];
        }

        public HttpClient this[int index] => _clients[index];

        public string BaseUrl(int index) => _servers[index].BaseUrl;

        /// <summary>Starts the nodes together, as a deployment of several nodes on a new database does.</summary>
        public static async Task<Nodes> StartAsync(string database, int count, CancellationToken ct)
            => new([.. await Task.WhenAll(Enumerable.Range(0, count).Select(_ => StrideServerProcess.StartAsync(ct, database)))]);

        public async ValueTask DisposeAsync()
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }

            foreach (var server in _servers)
            {
                await server.DisposeAsync();
            }
        }
    }
}

/// <summary>A new database on the test PostgreSQL server (<c>STRIDE_TEST_POSTGRES</c>), dropped when disposed.</summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _admin;
    private readonly string _name;

    private TestDatabase(string admin, string name, string connectionString)
    {
        _admin = admin;
        _name = name;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(CancellationToken ct)
    {
        var server = Environment.GetEnvironmentVariable("STRIDE_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                "STRIDE_TEST_POSTGRES names no PostgreSQL server. Run the tests with ./test.sh, which starts one, "
                + "or start one with 'eval \"$(scripts/postgres.sh start)\"'.");
        }

        var name = $"stride_nodes_{Guid.NewGuid():N}";
        var admin = new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync(ct);
        }

        return new TestDatabase(admin, name, new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync(CancellationToken.None);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
