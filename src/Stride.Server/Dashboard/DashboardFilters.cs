using System.Globalization;
using Microsoft.Extensions.Primitives;
using Stride.Server.Metrics;

namespace Stride.Server.Dashboard;

/// <summary>
/// What the dashboard shows, as kept in the query string so that a view can be shared: a window
/// preset (<c>window</c>, days) or custom <c>from</c>/<c>to</c>, systems, environment, benchmark
/// and chart interval. Parsed by <see cref="MetricsQuery"/>, under the same rules as the API.
/// </summary>
internal sealed record DashboardFilters(
    int? WindowDays, string From, string To, IReadOnlyList<string> Systems, string Environment, string Benchmark, string Interval)
{
    public const int DefaultDays = 90;
    public static readonly int[] Presets = [7, 30, 90, 180, 365];
    public static readonly string[] Intervals = ["auto", "day", "week", "month"];

    public bool IsCustom => WindowDays is null;

    public static DashboardFilters Read(IQueryCollection query)
    {
        var from = query["from"].ToString().Trim();
        var to = query["to"].ToString().Trim();
        int? days = null;
        if (from.Length == 0 && to.Length == 0)
        {
            days = int.TryParse(query["window"], NumberStyles.None, CultureInfo.InvariantCulture, out var d) && Presets.Contains(d)
                ? d
                : DefaultDays;
        }

        var systems = query["system"]
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        var interval = query["interval"].ToString().ToLowerInvariant();
        return new DashboardFilters(
            days,
            from,
            to,
            systems,
            query["environment"].ToString().Trim(),
            query["benchmark"].ToString().Trim(),
            Intervals.Contains(interval) ? interval : "auto");
    }

    /// <summary>The metrics window and filters, exactly as <c>GET /api/v1/metrics</c> would read them.</summary>
    /// <remarks>A preset becomes <c>to</c> = now and <c>from</c> = now − days, as Unix seconds.</remarks>
    public MetricsQuery? ToMetricsQuery(TimeProvider time, Dictionary<string, string[]> errors)
        => MetricsQuery.TryParse(new QueryCollection(ApiParameters(time, interval: null)), time, errors);

    /// <summary>The buckets of the charts: the chosen interval, else day up to 31 days, week up to 180, month above.</summary>
    public SeriesQuery? ToSeriesQuery(MetricsQuery window, TimeProvider time, Dictionary<string, string[]> errors)
    {
        var interval = Interval;
        if (interval == "auto")
        {
            var days = (window.To - window.From) / 86_400.0;
            interval = days <= 31 ? "day" : days <= 180 ? "week" : "month";
        }

        var parameters = ApiParameters(time, interval);
        parameters["from"] = window.From.ToString(CultureInfo.InvariantCulture);
        parameters["to"] = window.To.ToString(CultureInfo.InvariantCulture);
        return SeriesQuery.TryParse(new QueryCollection(parameters), time, errors);
    }

    /// <summary>This view's query string (defaults left out), with <paramref name="extra"/> pairs added.</summary>
    public string ToQueryString(params (string Name, string? Value)[] extra)
    {
        var pairs = new List<KeyValuePair<string, string?>>();
        if (WindowDays is { } days && days != DefaultDays)
        {
            pairs.Add(new("window", days.ToString(CultureInfo.InvariantCulture)));
        }

        if (IsCustom)
        {
            AddIfSet(pairs, "from", From);
            AddIfSet(pairs, "to", To);
        }

        pairs.AddRange(Systems.Select(s => new KeyValuePair<string, string?>("system", s)));
        AddIfSet(pairs, "environment", Environment);
        AddIfSet(pairs, "benchmark", Benchmark);
        if (Interval != "auto")
        {
            pairs.Add(new("interval", Interval));
        }

        pairs.AddRange(extra.Where(e => !string.IsNullOrEmpty(e.Value)).Select(e => new KeyValuePair<string, string?>(e.Name, e.Value)));
        return QueryString.Create(pairs).ToString();
    }

    /// <summary>The same view with another window preset.</summary>
    public DashboardFilters WithWindow(int days) => this with { WindowDays = days, From = "", To = "" };

    private Dictionary<string, StringValues> ApiParameters(TimeProvider time, string? interval)
    {
        var parameters = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
        if (WindowDays is { } days)
        {
            var now = time.GetUtcNow().ToUnixTimeSeconds();
            parameters["to"] = now.ToString(CultureInfo.InvariantCulture);
            parameters["from"] = (now - days * 86_400L).ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            parameters["from"] = From;
            parameters["to"] = To;
        }

        parameters["system"] = Systems.ToArray();
        parameters["environment"] = Environment;
        parameters["benchmark"] = Benchmark;
        if (interval is not null)
        {
            parameters["interval"] = interval;
        }

        return parameters;
    }

    private static void AddIfSet(List<KeyValuePair<string, string?>> pairs, string name, string value)
    {
        if (value.Length > 0)
        {
            pairs.Add(new(name, value));
        }
    }
}
