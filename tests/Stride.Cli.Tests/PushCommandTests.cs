using System.Text.Json;

namespace Stride.Cli.Tests;

/// <summary><c>stride push change|deployment|incident</c> against the real server, with pulse-event-cli's command lines.</summary>
public sealed class PushCommandTests : IAsyncLifetime
{
    private const long T = 1_700_000_000;
    private readonly CliHarness _cli = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _cli.DisposeAsync();

    [Fact]
    public async Task Pulse_command_lines_store_events_the_metrics_count()
    {
        // The README examples of pulse-event-cli, with only the binary and URL changed.
        var key = _cli.Environment["STRIDE_API_KEY"]!;
        _cli.Environment.Clear();
        Assert.Equal(0, (await _cli.RunAsync("push", "change", "--api-key", key, "--base-url", "http://localhost",
            "--identifier", "d7c1baaa0975a0e3577dad1c4c2368d3dd4f33b5", "--timestamp", $"{T}")).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("push", "change", "--api-key", key, "--base-url", "http://localhost",
            "--identifier", "6ccff2820ff356b609d8a000e082af866d144cc8", "--timestamp", $"{T + 600}", "--source", "git", "--event_type", "push")).ExitCode);
        var deployment = await _cli.RunAsync("push", "deployment", "--api-key", key, "--base-url", "http://localhost",
            "--identifier", "1.0.1", "--timestamp", $"{T + 3600}",
            "d7c1baaa0975a0e3577dad1c4c2368d3dd4f33b5", "6ccff2820ff356b609d8a000e082af866d144cc8");
        Assert.True(deployment.ExitCode == 0, deployment.ToString());
        Assert.Contains("Stored 1 event.", deployment.Output);
        var incident = await _cli.RunAsync("push", "incident", "--api-key", key, "--base-url", "http://localhost",
            "--identifier", "INC-1", "--timestampCreated", $"{T + 7200}", "--timestampResolved", $"{T + 9000}");
        Assert.True(incident.ExitCode == 0, incident.ToString());

        var metrics = await _cli.MetricsAsync(T - 86400, T + 86400);
        Assert.Equal(1, metrics.GetProperty("deploymentFrequency").GetProperty("deployments").GetInt32());
        var lead = metrics.GetProperty("leadTimeForChanges");
        Assert.Equal(2, lead.GetProperty("changes").GetInt32());
        Assert.Equal((3600 + 3000) / 2.0, lead.GetProperty("medianSeconds").GetDouble());
        Assert.Equal(1800, metrics.GetProperty("timeToRestore").GetProperty("medianSeconds").GetDouble());
        Assert.Equal(1, metrics.GetProperty("changeFailureRate").GetProperty("failedDeployments").GetInt32());
    }

    [Fact]
    public async Task Spec_additions_are_sent_with_the_deployment()
    {
        var result = await _cli.RunAsync("push", "deployment", "--system", "https://github.com/acme/shop.git",
            "--identifier", "v2", "--timestamp", $"{T}", "--teams", "core,web", "--environment", "Staging",
            "--result", "FAILURE", "--rework", "--commit", "abc123", "c1", "c2");
        Assert.True(result.ExitCode == 0, result.ToString());
        var sent = Assert.Single(_cli.Requests);
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/api/v1/events", sent.PathAndQuery);
        var item = Assert.Single(sent.Events);
        Assert.Equal("deployment", item.GetProperty("type").GetString());
        Assert.Equal("https://github.com/acme/shop.git", item.GetProperty("system").GetString());
        Assert.Equal(["core", "web"], item.GetProperty("teams").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["c1", "c2"], item.GetProperty("changes").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("Staging", item.GetProperty("environment").GetString());
        Assert.Equal("failure", item.GetProperty("result").GetString());
        Assert.True(item.GetProperty("rework").GetBoolean());
        Assert.Equal("abc123", item.GetProperty("commit").GetString());
        Assert.Equal($"Bearer {Server.Tests.StrideApplication.BootstrapKey}", sent.Authorization);
    }

    [Fact]
    public async Task An_incident_without_a_resolution_is_open_and_a_later_push_resolves_it()
    {
        Assert.Equal(0, (await _cli.RunAsync("push", "incident", "--identifier", "INC-9", "--timestampCreated", $"{T}", "--system", "api")).ExitCode);
        var open = await _cli.MetricsAsync(T - 3600, T + 3600, "api");
        Assert.Equal(1, open.GetProperty("timeToRestore").GetProperty("openIncidents").GetInt32());
        Assert.DoesNotContain("timestampResolved", _cli.Requests[0].Body);

        Assert.Equal(0, (await _cli.RunAsync("push", "incident", "--identifier", "INC-9", "--timestampCreated", $"{T}",
            "--timestampResolved", $"{T + 600}", "--system", "api", "--deployment", "v1")).ExitCode);
        var resolved = await _cli.MetricsAsync(T - 3600, T + 3600, "api");
        Assert.Equal(0, resolved.GetProperty("timeToRestore").GetProperty("openIncidents").GetInt32());
        Assert.Equal(600, resolved.GetProperty("timeToRestore").GetProperty("medianSeconds").GetDouble());
        Assert.Equal("v1", _cli.Requests[1].Events[0].GetProperty("deployment").GetString());
    }

    [Fact]
    public async Task Common_flags_may_come_before_the_event_type_as_with_pulse_event_cli()
    {
        var result = await _cli.RunAsync("push", "--system", "api", "--api-key", Server.Tests.StrideApplication.BootstrapKey,
            "change", "--identifier", "abc", "--timestamp", $"{T}");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("api", Assert.Single(Assert.Single(_cli.Requests).Events).GetProperty("system").GetString());
    }

    [Fact]
    public async Task Flags_take_the_equals_form_too()
    {
        var result = await _cli.RunAsync("push", "change", "--identifier=abc", "--timestamp=1700000000", "--system=api");
        Assert.True(result.ExitCode == 0, result.ToString());
        var item = Assert.Single(Assert.Single(_cli.Requests).Events);
        Assert.Equal("abc", item.GetProperty("identifier").GetString());
        Assert.Equal(T, item.GetProperty("timestamp").GetInt64());
    }

    [Fact]
    public async Task The_base_url_and_key_come_from_the_environment_or_the_flags()
    {
        _cli.Environment.Remove("STRIDE_API_KEY");
        var missing = await _cli.RunAsync("push", "change", "--identifier", "a", "--timestamp", $"{T}");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("STRIDE_API_KEY", missing.Error);
        Assert.Empty(_cli.Requests);

        var ingestKey = await _cli.CreateKeyAsync("ingest");
        _cli.Environment["STRIDE_API_KEY"] = ingestKey;
        Assert.Equal(0, (await _cli.RunAsync("push", "change", "--identifier", "a", "--timestamp", $"{T}")).ExitCode);
        Assert.Equal($"Bearer {ingestKey}", _cli.Requests[^1].Authorization);
    }

    [Theory]
    [InlineData("change", "--identifier", "", "--timestamp", "1700000000")]
    [InlineData("change", "--identifier", "   ", "--timestamp", "1700000000")]
    [InlineData("change", "--identifier", "a", "--timestamp", "0")]
    [InlineData("change", "--identifier", "a", "--timestamp", "-5")]
    [InlineData("change", "--identifier", "a", "--timestamp", "abc")]
    [InlineData("change", "--identifier", "a", "--timestamp", "1.5")]
    [InlineData("change", "--identifier", "a", "--timestamp", "2023-11-14T22:13:20Z")]
    [InlineData("change", "--identifier", "a", "--timestamp", "253402300800")]
    [InlineData("change", "--identifier", "a")]
    [InlineData("change", "--timestamp", "1700000000")]
    [InlineData("deployment", "--identifier", "v1", "--timestamp", "1700000000", "--result", "maybe", "c1")]
    [InlineData("deployment", "--identifier", "v1", "--timestamp", "1700000000", "c1", "")]
    [InlineData("incident", "--identifier", "i", "--timestampCreated", "1700000000", "--timestampResolved", "1699999999")]
    [InlineData("incident", "--identifier", "i", "--timestampCreated", "x")]
    [InlineData("incident", "--identifier", "i")]
    [InlineData("change", "--identifier", "a", "--timestamp", "1700000000", "--base-url", "ftp://example.com")]
    [InlineData("change", "--identifier", "a", "--timestamp", "1700000000", "--unknown-flag")]
    [InlineData("teleport")]
    public async Task Bad_command_lines_are_usage_errors_and_send_nothing(params string[] args)
    {
        var result = await _cli.RunAsync(["push", .. args]);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.NotEqual("", result.Error.Trim());
        Assert.Empty(_cli.Requests);
    }

    [Fact]
    public async Task Usage_errors_say_what_is_wrong()
    {
        var result = await _cli.RunAsync("push", "change", "--identifier", "a", "--timestamp", "soon");
        Assert.Contains("--timestamp must be a time in Unix seconds", result.Error);
        Assert.Contains("'soon'", result.Error);
        Assert.Contains("stride push change --help", result.Error);

        var resolved = await _cli.RunAsync("push", "incident", "--identifier", "i", "--timestampCreated", "200", "--timestampResolved", "100");
        Assert.Contains("--timestampResolved must not be before --timestampCreated", resolved.Error);
    }

    [Fact]
    public async Task A_rejected_request_exits_1_with_the_servers_problem()
    {
        var readKey = await _cli.CreateKeyAsync("read");
        _cli.Environment["STRIDE_API_KEY"] = readKey;
        var result = await _cli.RunAsync("push", "change", "--identifier", "a", "--timestamp", $"{T}");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("403", result.Error);
        Assert.Contains("scope", result.Error);
        Assert.Single(_cli.Requests);   // a 4xx is never retried

        _cli.Environment["STRIDE_API_KEY"] = "stride_not_a_key";
        var unknown = await _cli.RunAsync("push", "change", "--identifier", "a", "--timestamp", $"{T}");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("401", unknown.Error);
        Assert.Contains("unknown or revoked", unknown.Error);
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        var result = await _cli.RunAsync("version");
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^stride \d+\.\d+\.\d+", result.Output);
    }

    [Fact]
    public async Task The_item_is_what_the_server_stores_for_a_change()
    {
        Assert.Equal(0, (await _cli.RunAsync("push", "change", "--identifier", "c-1", "--timestamp", $"{T}", "--system", "api")).ExitCode);
        var item = _cli.Requests[0].Events[0];
        Assert.Equal(JsonValueKind.Number, item.GetProperty("timestamp").ValueKind);
        Assert.Equal(["identifier", "system", "timestamp", "type"], item.EnumerateObject().Select(p => p.Name).Order());
    }
}
