using System.Globalization;
using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Server.Metrics;

/// <summary>The window and filters of a metrics request (SPEC §4.5), parsed and checked.</summary>
internal sealed record MetricsQuery(long From, long To, IReadOnlyList<string> Systems, string Environment, Benchmark Benchmark)
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(90);

    /// <summary>Reads <c>from</c>, <c>to</c>, <c>system</c> (repeatable), <c>environment</c> and <c>benchmark</c>.</summary>
    public static MetricsQuery? TryParse(IQueryCollection query, TimeProvider time, Dictionary<string, string[]> errors)
    {
        var to = ParseTime(query, "to", errors) ?? time.GetUtcNow().ToUnixTimeSeconds();
        var from = ParseTime(query, "from", errors) ?? to - (long)DefaultWindow.TotalSeconds;
        if (!errors.ContainsKey("from") && !errors.ContainsKey("to") && from >= to)
        {
            errors["from"] = ["must be earlier than 'to'."];
        }

        var systems = query["system"]
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(SystemName.Normalize)
            .Distinct(StringComparer.Ordinal)
            .ToArray();

        var environment = EnvironmentName.Normalize(query["environment"]);
        Benchmark benchmark = Benchmark.Dora2023;
        switch (query["benchmark"].ToString())
        {
            case "" or "2023":
                break;
            case "2021":
                benchmark = Benchmark.Dora2021;
                break;
            default:
                errors["benchmark"] = ["must be '2023' or '2021'."];
                break;
        }

        return errors.Count == 0 ? new MetricsQuery(from, to, systems, environment, benchmark) : null;
    }

    public static string Name(Benchmark benchmark) => benchmark == Benchmark.Dora2021 ? "2021" : "2023";

    // Accepts Unix seconds, an RFC 3339 date-time, or a date (midnight UTC).
    private static long? ParseTime(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        var text = query[name].ToString().Trim();
        if (text.Length == 0)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && Timestamps.IsInRange(seconds))
        {
            return seconds;
        }

        if (Timestamps.TryParseRfc3339(text, out seconds))
        {
            return seconds;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            seconds = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();
            if (Timestamps.IsInRange(seconds))
            {
                return seconds;
            }
        }

        errors[name] = ["must be Unix seconds, an RFC 3339 date-time (2026-11-01T00:00:00Z) or a date (2026-11-01)."];
        return null;
    }
}
