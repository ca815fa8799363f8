using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Stride.Server.Tests.Nodes;

namespace Stride.Server.Tests.Crash;

/// <summary>
/// Crash safety (SPEC §4: a 2xx is sent only once the events are durably stored, and a request is
/// stored whole or not at all). Clients ingest at once into a real server process, which is killed
/// with SIGKILL while their requests are in flight and started again on the same database, several
/// times over. After each restart the lists must show every event of every acknowledged request, once,
/// with what its own request derived from it (a change's first deployment, a deployment's changes); an
/// unacknowledged request must be there whole or not at all; and the metrics must count what is stored.
/// </summary>
public sealed class CrashSafetyTests
{
    private const long Start = 1_700_000_000;   // 2023-11-14; request n happens at Start + n minutes
    private const long From = Start - 86_400;
    private const long To = Start + (30 * 86_400);
    private const int Clients = 8;
    private const int PageSize = 1_000;

    /// <summary>
    /// One run of load per kill: each is killed once it has this many acknowledged requests, while the
    /// clients' next requests are in flight.
    /// </summary>
    private static readonly int[] AcknowledgedBeforeKill = [250, 400, 550];

    /// <summary>A hung request fails its client's loop instead of the whole test's time budget.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SqliteKeepsEveryAcknowledgedRequestWholeAndNoneTwiceAcrossKills()
    {
        var ct = TestContext.Current.CancellationToken;

        // The server's own SQLite file (Data Source=<its folder>/stride.db), which a restart reopens.
        await using var server = await StrideServerProcess.StartAsync(ct);
        await KillAndCheckAsync(server, "SQLite", ct);
    }

    [Fact]
    public async Task PostgresKeepsEveryAcknowledgedRequestWholeAndNoneTwiceAcrossKills()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(ct);   // fails, never skips, without STRIDE_TEST_POSTGRES
        await using var server = await StrideServerProcess.StartAsync(ct, database.ConnectionString);
        await KillAndCheckAsync(server, "PostgreSQL", ct);
    }

    private static async Task KillAndCheckAsync(StrideServerProcess server, string store, CancellationToken ct)
    {
        var ledger = new Ledger();
        var inFlightAtKills = new List<int>();
        foreach (var acknowledged in AcknowledgedBeforeKill)
        {
            inFlightAtKills.Add(await LoadUntilKilledAsync(server, ledger, acknowledged, ct));
            await server.RestartAsync(ct);
            var check = await CheckAsync(server, ledger, ct);
            Report(store, ledger, inFlightAtKills, check);
            Assert.True(check.Problems.Count == 0, $"After kill {inFlightAtKills.Count} on {store}:\n{string.Join('\n', check.Problems)}");
        }

        // Unless some requests were cut off by a kill, the test did not test what it claims to.
        Assert.NotEmpty(ledger.Unacknowledged);
        Assert.Empty(ledger.Rejected);
        Assert.False(server.HasExited, server.Output);
    }

    /// <summary>
    /// Runs the clients against the server until it has acknowledged <paramref name="acknowledgedBeforeKill"/>
    /// requests, then stops them sending more and kills the server; returns how many requests were in flight then.
    /// </summary>
    private static async Task<int> LoadUntilKilledAsync(StrideServerProcess server, Ledger ledger, int acknowledgedBeforeKill, CancellationToken ct)
    {
        using var client = server.CreateClient();
        client.Timeout = RequestTimeout;
        using var stop = new CancellationTokenSource();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var acknowledged = 0;
        var inFlight = 0;

        async Task SendAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var request = ledger.Next();
                Interlocked.Increment(ref inFlight);
                try
                {
                    using var content = new StringContent(request.Body, Encoding.UTF8, "application/json");
                    using var response = await client.PostAsync(request.Path, content, ct);
                    var body = await response.Content.ReadAsStringAsync(ct);
                    if (response.IsSuccessStatusCode && StoredCount(body) == request.Rows.Count)
                    {
                        ledger.Acknowledge(request);
                        if (Interlocked.Increment(ref acknowledged) == acknowledgedBeforeKill)
                        {
                            enough.TrySetResult();
                        }
                    }
                    else
                    {
                        ledger.Reject(request, $"request {request.Number} ({request.Path}) answered {(int)response.StatusCode}: {body}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
                {
                    // The connection broke (the kill) or the request timed out: no answer, so no promise.
                    ledger.Unacknowledge(request);
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
            }
        }

        var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(SendAsync, ct)).ToArray();

        // The clients only end on their own when something broke (say the server died): then no kill.
        var all = Task.WhenAll(clients);
        await Task.WhenAny(enough.Task, all);
        Assert.True(enough.Task.IsCompleted, $"The clients stopped after {acknowledged} acknowledged requests. Server output:\n{server.Output}");

        // Stop sending first, so that what is cut off is only what was already in flight.
        stop.Cancel();
        var inFlightAtKill = Volatile.Read(ref inFlight);
        await server.KillAsync();
        await all;
        return inFlightAtKill;
    }

    private static int? StoredCount(string body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.GetProperty("stored").GetInt32();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Reads back everything through the API and compares it with what each request should have left.</summary>
    private static async Task<Check> CheckAsync(StrideServerProcess server, Ledger ledger, CancellationToken ct)
    {
        using var client = server.CreateClient();
        var listed = new Dictionary<(string List, string Key), List<string>>();
        foreach (var list in new[] { "changes", "deployments", "incidents" })
        {
            foreach (var (key, facts) in await ReadListAsync(client, list, ct))
            {
                if (!listed.TryGetValue((list, key), out var seen))
                {
                    listed[(list, key)] = seen = [];
                }

                seen.Add(facts);
            }
        }

        var problems = new List<string>();
        var acknowledged = ledger.Acknowledged.ToList();
        var unacknowledged = ledger.Unacknowledged.Concat(ledger.Rejected.Select(r => r.Request)).ToList();
        var lost = acknowledged.SelectMany(r => r.Rows).Where(row => !listed.ContainsKey((row.List, row.Key))).ToList();
        var duplicated = listed.Where(p => p.Value.Count > 1).Select(p => $"{p.Key.List} {p.Key.Key} listed {p.Value.Count} times").ToList();
        var torn = new List<string>();
        var storedWhole = new List<Request>();
        foreach (var request in unacknowledged)
        {
            var present = request.Rows.Count(row => listed.ContainsKey((row.List, row.Key)));
            if (present == request.Rows.Count)
            {
                storedWhole.Add(request);
            }
            else if (present > 0)
            {
                torn.Add($"request {request.Number} ({request.Path}): {present} of {request.Rows.Count} events stored");
            }
        }

        // What must be listed, exactly: every acknowledged request, and the unacknowledged ones found whole.
        var expected = acknowledged.Concat(storedWhole).SelectMany(r => r.Rows).ToDictionary(row => (row.List, row.Key), row => row.Facts);
        var sent = acknowledged.Concat(unacknowledged).SelectMany(r => r.Rows).Select(row => (row.List, row.Key)).ToHashSet();
        var unexpected = listed.Keys.Where(k => !sent.Contains(k)).Select(k => $"{k.List} {k.Key} was never sent").ToList();
        var wrong = expected.Where(p => listed.TryGetValue(p.Key, out var seen) && seen[0] != p.Value)
            .Select(p => $"{p.Key.List} {p.Key.Key}: listed as '{listed[p.Key][0]}', expected '{p.Value}'").ToList();

        Add(problems, "acknowledged events lost", lost.Select(row => $"{row.List} {row.Key} (request {row.Request})").ToList());
        Add(problems, "events listed more than once", duplicated);
        Add(problems, "unacknowledged requests stored in part", torn);
        Add(problems, "events listed that no request sent", unexpected);
        Add(problems, "events listed with other facts than their request gave", wrong);
        Add(problems, "requests answered other than 2xx with their count", ledger.Rejected.Select(r => r.Answer).ToList());

        // The metrics read the stored events another way: they must count exactly what is listed.
        var rows = listed.Select(p => (p.Key.List, Facts: p.Value[0])).ToList();
        var expectedMetrics = new Dictionary<string, int>
        {
            ["deploymentFrequency.deployments"] = rows.Count(r => r.List == "deployments" && r.Facts.Contains(" success ", StringComparison.Ordinal)),
            ["leadTimeForChanges.changes"] = rows.Count(r => r.List == "changes" && !r.Facts.EndsWith("first=-", StringComparison.Ordinal)),
            ["timeToRestore.incidents"] = rows.Count(r => r.List == "incidents" && !r.Facts.EndsWith("resolved=-", StringComparison.Ordinal)),
            ["timeToRestore.openIncidents"] = rows.Count(r => r.List == "incidents" && r.Facts.EndsWith("resolved=-", StringComparison.Ordinal)),
        };
        using var response = await client.GetAsync($"/api/v1/metrics?from={From}&to={To}", ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode, text);
        var metrics = JsonDocument.Parse(text).RootElement;
        foreach (var (path, count) in expectedMetrics)
        {
            var parts = path.Split('.');
            var actual = metrics.GetProperty(parts[0]).GetProperty(parts[1]).GetInt32();
            if (actual != count)
            {
                problems.Add($"metrics {path} is {actual}, but the lists hold {count}");
            }
        }

        return new Check(expected.Count, listed.Count, storedWhole.Count, lost.Count, duplicated.Count, torn.Count, problems);
    }

    private static void Add(List<string> problems, string what, IReadOnlyList<string> found)
    {
        if (found.Count > 0)
        {
            problems.Add($"{found.Count} {what}, such as:\n  " + string.Join("\n  ", found.Take(10)));
        }
    }

    /// <summary>Every row of one list over the whole window, page by page, as (system/identifier, facts).</summary>
    private static async Task<List<(string Key, string Facts)>> ReadListAsync(HttpClient client, string list, CancellationToken ct)
    {
        var rows = new List<(string, string)>();
        var url = $"/api/v1/{list}?from={From}&to={To}&limit={PageSize}";
        string? cursor = null;
        do
        {
            using var response = await client.GetAsync(cursor is null ? url : $"{url}&cursor={Uri.EscapeDataString(cursor)}", ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            Assert.True(response.IsSuccessStatusCode, $"GET {url} answered {(int)response.StatusCode}: {text}");
            var page = JsonDocument.Parse(text).RootElement;
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                var key = $"{item.GetProperty("system").GetString()}/{item.GetProperty("identifier").GetString()}";
                rows.Add((key, list switch
                {
                    "changes" => ChangeFacts(Seconds(item, "timestamp"), item.GetProperty("firstDeployment").GetString()),
                    "deployments" => DeploymentFacts(Seconds(item, "timestamp"), item.GetProperty("result").GetString()!, item.GetProperty("changes").GetInt32()),
                    _ => IncidentFacts(Seconds(item, "timestampCreated"), item.GetProperty("timestampResolved").ValueKind == JsonValueKind.Null ? null : Seconds(item, "timestampResolved")),
                }));
            }

            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return rows;
    }

    private static long Seconds(JsonElement item, string property)
        => DateTimeOffset.Parse(item.GetProperty(property).GetString()!, CultureInfo.InvariantCulture).ToUnixTimeSeconds();

    // What a list shows of an event, as text, so that expected and listed compare exactly.
    private static string ChangeFacts(long timestamp, string? firstDeployment) => $"t={timestamp} first={firstDeployment ?? "-"}";

    private static string DeploymentFacts(long timestamp, string result, int changes) => $"t={timestamp} {result} changes={changes}";

    private static string IncidentFacts(long created, long? resolved) => $"created={created} resolved={resolved?.ToString(CultureInfo.InvariantCulture) ?? "-"}";

    private static void Report(string store, Ledger ledger, List<int> inFlightAtKills, Check check)
    {
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine(
            $"{store}, after kill {inFlightAtKills.Count} (in flight at each kill: {string.Join(", ", inFlightAtKills)}): "
            + $"requests tried {ledger.Tried}, acknowledged {ledger.Acknowledged.Count}, unacknowledged {ledger.Unacknowledged.Count} "
            + $"(stored whole {check.UnacknowledgedStoredWhole}, torn {check.Torn}), rejected {ledger.Rejected.Count}; "
            + $"events checked {check.EventsChecked} (listed {check.EventsListed}), lost {check.Lost}, duplicated {check.Duplicated}");
    }

    /// <summary>
    /// Request <paramref name="n"/>: a single change (one in four), or a batch of changes of one system
    /// with a deployment listing all but two of them (one in seven failed) and, one in three, an incident
    /// (resolved or open); one batch in forty is large. Every identifier is new.
    /// </summary>
    private static Request Make(long n)
    {
        var system = $"svc-{n % 3}";
        var at = Start + (n * 60);
        if (n % 4 == 3)
        {
            var id = $"r{n}-c0";
            return new Request(n, "/api/v1/changes", $$"""{"identifier": "{{id}}", "timestamp": {{at}}, "system": "{{system}}"}""",
                [new Row(n, "changes", $"{system}/{id}", ChangeFacts(at, null))]);
        }

        var count = n % 40 == 1 ? 400 : 4 + (int)(n % 13);
        var listed = count - 2;
        var result = n % 7 == 0 ? "failure" : "success";
        var deployment = $"r{n}-d";
        var events = new List<string>();
        var rows = new List<Row>();
        for (var j = 0; j < count; j++)
        {
            var id = $"r{n}-c{j}";
            var timestamp = at - 3_600 + j;
            events.Add($$"""{"type": "change", "identifier": "{{id}}", "timestamp": {{timestamp}}, "system": "{{system}}"}""");
            rows.Add(new Row(n, "changes", $"{system}/{id}", ChangeFacts(timestamp, j < listed && result == "success" ? deployment : null)));
        }

        var changes = string.Join(", ", Enumerable.Range(0, listed).Select(j => $"\"r{n}-c{j}\""));
        events.Add($$"""{"type": "deployment", "identifier": "{{deployment}}", "timestamp": {{at}}, "system": "{{system}}", "result": "{{result}}", "changes": [{{changes}}]}""");
        rows.Add(new Row(n, "deployments", $"{system}/{deployment}", DeploymentFacts(at, result, listed)));
        if (n % 3 == 0)
        {
            long? resolved = n % 2 == 0 ? at + 90 : null;
            var resolvedJson = resolved?.ToString(CultureInfo.InvariantCulture) ?? "null";
            events.Add($$"""{"type": "incident", "identifier": "r{{n}}-i", "timestampCreated": {{at + 30}}, "timestampResolved": {{resolvedJson}}, "system": "{{system}}"}""");
            rows.Add(new Row(n, "incidents", $"{system}/r{n}-i", IncidentFacts(at + 30, resolved)));
        }

        return new Request(n, "/api/v1/events", "[" + string.Join(",\n", events) + "]", rows);
    }

    /// <summary>One request, and the rows it must leave in the lists (keyed by system/identifier, with their facts).</summary>
    private sealed record Request(long Number, string Path, string Body, IReadOnlyList<Row> Rows);

    private sealed record Row(long Request, string List, string Key, string Facts);

    private sealed record RejectedRequest(Request Request, string Answer);

    private sealed record Check(int EventsChecked, int EventsListed, int UnacknowledgedStoredWhole, int Lost, int Duplicated, int Torn, IReadOnlyList<string> Problems);

    /// <summary>Which requests were tried, and what became of each, across all the runs of one test.</summary>
    private sealed class Ledger
    {
        private readonly ConcurrentQueue<Request> _acknowledged = new();
        private readonly ConcurrentQueue<Request> _unacknowledged = new();
        private readonly ConcurrentQueue<RejectedRequest> _rejected = new();
        private long _tried;

        public long Tried => Interlocked.Read(ref _tried);

        /// <summary>Requests answered 2xx with their event count: their events are promised.</summary>
        public IReadOnlyCollection<Request> Acknowledged => _acknowledged;

        /// <summary>Requests without an answer (cut off by a kill, or timed out): whole or not at all.</summary>
        public IReadOnlyCollection<Request> Unacknowledged => _unacknowledged;

        /// <summary>Requests answered otherwise, which should not happen: the test fails on any.</summary>
        public IReadOnlyCollection<RejectedRequest> Rejected => _rejected;

        public Request Next()
        {
            var n = Interlocked.Increment(ref _tried) - 1;
            if (Start + (n * 60) >= To)
            {
                throw new InvalidOperationException($"Request {n} would fall outside the window read back: widen it.");
            }

            return Make(n);
        }

        public void Acknowledge(Request request) => _acknowledged.Enqueue(request);

        public void Unacknowledge(Request request) => _unacknowledged.Enqueue(request);

        public void Reject(Request request, string answer) => _rejected.Enqueue(new RejectedRequest(request, answer));
    }
}
