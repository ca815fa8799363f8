using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Stride.Server.Tests.Operations;

/// <summary><c>docs/grafana-dashboard.json</c>: importable, and reading only metrics the server exports.</summary>
public sealed partial class GrafanaDashboardTests
{
    private static readonly string[] FourKeys =
    [
        "stride_deployment_frequency_per_day",
        "stride_lead_time_for_changes_median_seconds",
        "stride_change_failure_rate_ratio",
        "stride_time_to_restore_median_seconds",
    ];

    [Fact]
    public void DashboardIsGrafanaJsonWithADataSourceOrganizationAndSystemVariables()
    {
        var dashboard = LoadDashboard();

        Assert.InRange(dashboard.GetProperty("schemaVersion").GetInt32(), 36, 41);
        Assert.Equal("DS_PROMETHEUS", dashboard.GetProperty("__inputs")[0].GetProperty("name").GetString());
        var variables = dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        Assert.Equal("datasource", variables["datasource"].GetProperty("type").GetString());
        Assert.Equal("prometheus", variables["datasource"].GetProperty("query").GetString());
        Assert.Equal("label_values(stride_window_deployments, organization)", variables["organization"].GetProperty("definition").GetString());
        Assert.StartsWith("label_values(stride_window_deployments{organization=~\"$organization\"}, system)",
            variables["system"].GetProperty("definition").GetString(), StringComparison.Ordinal);

        var panels = Panels(dashboard).ToArray();
        Assert.Equal(panels.Length, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        foreach (var panel in panels.Where(p => p.GetProperty("type").GetString() != "row"))
        {
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.NotEmpty(panel.GetProperty("targets").EnumerateArray());
        }

        // Each of the four keys is a stat panel and a time series, for the chosen organizations and systems.
        foreach (var metric in FourKeys)
        {
            foreach (var type in new[] { "stat", "timeseries" })
            {
                Assert.Contains(panels, p => p.GetProperty("type").GetString() == type && Expressions(p).Any(e =>
                    e.Contains(metric + "{organization=~\"$organization\",system=~\"$system\"}", StringComparison.Ordinal)));
            }
        }

        Assert.Contains(panels, p => Expressions(p).Any(e => e.Contains("sum by (code) (rate(stride_http_requests_total", StringComparison.Ordinal)));
        Assert.Contains(panels, p => Expressions(p).Any(e => e.Contains("sum by (type) (rate(stride_events_stored_total", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task EveryMetricTheDashboardReadsIsOneTheServerExports()
    {
        await using var app = new StrideApplication();
        using var admin = app.CreateAdminClient();
        // A day ago, so that every four-key gauge has a value in the server's trailing window.
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 86_400;
        await (await admin.PostJsonAsync("/api/v1/events", $$"""
            [{"type":"change","identifier":"c1","timestamp":{{t}}},
             {"type":"deployment","identifier":"v1","timestamp":{{t + 100}},"changes":["c1"]},
             {"type":"incident","identifier":"INC-1","timestampCreated":{{t + 200}},"timestampResolved":{{t + 300}}}]
            """)).AssertStoredAsync(3);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostJsonAsync("/api/v1/changes", "{}")).StatusCode);
        var exported = (await PrometheusText.ScrapeAsync(admin)).Types.Keys.ToHashSet();

        var dashboard = LoadDashboard();
        var expressions = Panels(dashboard).SelectMany(Expressions)
            .Concat(dashboard.GetProperty("templating").GetProperty("list").EnumerateArray()
                .Where(v => v.GetProperty("type").GetString() == "query")
                .Select(v => v.GetProperty("definition").GetString()!))
            .ToArray();
        var used = expressions.SelectMany(MetricNames).ToHashSet();

        Assert.Superset(FourKeys.ToHashSet(), used);
        Assert.Contains("stride_http_requests_total", used);
        Assert.Contains("stride_events_stored_total", used);
        var unknown = used.Where(name => !exported.Contains(name)).Order().ToArray();
        Assert.True(unknown.Length == 0, $"The dashboard reads metrics the server does not export: {string.Join(", ", unknown)}");
    }

    [Theory]
    [InlineData("sum by (code) (rate(stride_http_requests_total[$__rate_interval]))", "stride_http_requests_total")]
    [InlineData("time() - stride_four_keys_updated_timestamp_seconds", "stride_four_keys_updated_timestamp_seconds")]
    [InlineData("stride_lead_time_for_changes_median_seconds{organization=~\"$organization\",system=~\"a(b)\"}", "stride_lead_time_for_changes_median_seconds")]
    [InlineData("label_values(stride_window_deployments{organization=~\"$organization\"}, system)", "stride_window_deployments")]
    [InlineData("sum without (route) (rate(stride_nope_total[5m])) / on (code) group_left stride_other", "stride_nope_total,stride_other")]
    public void MetricNamesAreFoundInPromQl(string expression, string names)
        => Assert.Equal(names.Split(','), MetricNames(expression).Order().ToArray());

    /// <summary>The metric names a PromQL expression (or a <c>label_values</c> query) reads.</summary>
    private static IEnumerable<string> MetricNames(string expression)
    {
        if (LabelValues().Match(expression) is { Success: true } variable)
        {
            return [variable.Groups[1].Value];
        }

        // Label matchers and strings, ranges, dashboard variables and grouping clauses hold no metric names.
        var bare = Strings().Replace(expression, " ");
        bare = Braces().Replace(bare, " ");
        bare = Ranges().Replace(bare, " ");
        bare = Grouping().Replace(bare, " ");
        return Identifiers().Matches(bare)
            .Where(m => !bare[(m.Index + m.Length)..].TrimStart().StartsWith('(') && !Keywords.Contains(m.Value))
            .Select(m => m.Value)
            .Distinct();
    }

    private static readonly HashSet<string> Keywords = ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless"];

    private static JsonElement LoadDashboard()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Stride.slnx")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(directory.FullName, "docs", "grafana-dashboard.json"))).RootElement.Clone();
    }

    private static IEnumerable<JsonElement> Panels(JsonElement dashboard)
        => dashboard.GetProperty("panels").EnumerateArray().SelectMany(p =>
            p.TryGetProperty("panels", out var nested) ? [p, .. nested.EnumerateArray()] : new[] { p });

    private static IEnumerable<string> Expressions(JsonElement panel)
        => panel.TryGetProperty("targets", out var targets)
            ? targets.EnumerateArray().Select(t => t.GetProperty("expr").GetString()!)
            : [];

    [GeneratedRegex(@"^\s*label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)")]
    private static partial Regex LabelValues();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w$])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifiers();
}
