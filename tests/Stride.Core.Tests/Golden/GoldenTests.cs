using System.Globalization;
using System.Text.Json;
using Stride.Core.Metrics;
using Stride.Core.Series;

namespace Stride.Core.Tests.Golden;

/// <summary>
/// Replays every dataset in the shared golden folder through <see cref="Ledger"/> and
/// <see cref="MetricsEngine"/> and compares every number with the independent implementation's.
/// </summary>
public sealed class GoldenTests
{
    private const double RelativeTolerance = 1e-6;

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(GoldenDirectory(), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void DatasetMatchesEveryExpectedValue(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(GoldenDirectory(), file)));
        var root = document.RootElement;
        var ledger = new Ledger();
        foreach (var item in root.GetProperty("events").EnumerateArray())
        {
            ledger.Apply(GoldenEvents.Parse(item));
        }

        var mismatches = new List<string>();
        var queryIndex = 0;
        foreach (var query in root.GetProperty("queries").EnumerateArray())
        {
            var p = Parameters.Read(query.GetProperty("params"));
            var length = p.To - p.From;
            var prepared = MetricsEngine.Prepare(ledger.Facts(p.From - length, p.To, p.Environment, p.Systems));
            var expected = query.GetProperty("expected");
            var where = $"{file} query {queryIndex}";
            Compare(where, expected, prepared.Compute(p.From, p.To, p.Benchmark), mismatches);
            Compare($"{where} previous", expected.GetProperty("previous"), prepared.Compute(p.From - length, p.From, p.Benchmark), mismatches);
            queryIndex++;
        }

        var seriesIndex = 0;
        foreach (var series in root.GetProperty("series").EnumerateArray())
        {
            var parameters = series.GetProperty("params");
            var p = Parameters.Read(parameters);
            var interval = Enum.Parse<SeriesInterval>(parameters.GetProperty("interval").GetString()!, ignoreCase: true);
            var tz = parameters.TryGetProperty("tz", out var tzValue) ? tzValue.GetString() : null;
            Assert.True(SeriesBuckets.TryFindZone(tz, out var zone), $"{file} series {seriesIndex}: unknown zone {tz}");
            var prepared = MetricsEngine.Prepare(ledger.Facts(p.From, p.To, p.Environment, p.Systems));
            var buckets = SeriesBuckets.Split(p.From, p.To, interval, zone);
            var expected = series.GetProperty("expected").EnumerateArray().ToList();
            var where = $"{file} series {seriesIndex} ({interval}, {tz ?? "UTC"})";
            if (buckets.Count != expected.Count)
            {
                mismatches.Add($"{where}: {buckets.Count} buckets, expected {expected.Count}");
            }

            for (var b = 0; b < Math.Min(buckets.Count, expected.Count); b++)
            {
                var (start, end) = buckets[b];
                var expectedStart = expected[b].GetProperty("start").GetInt64();
                var expectedEnd = expected[b].GetProperty("end").GetInt64();
                if (start != expectedStart || end != expectedEnd)
                {
                    mismatches.Add($"{where} bucket {b}: [{start}, {end}), expected [{expectedStart}, {expectedEnd})");
                    continue;
                }

                Compare($"{where} bucket {b}", expected[b], prepared.Compute(start, end, p.Benchmark), mismatches);
            }

            seriesIndex++;
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n{string.Join('\n', mismatches.Take(60))}");
    }

    private static void Compare(string where, JsonElement expected, MetricsReport actual, List<string> mismatches)
    {
        foreach (var (block, fields) in Blocks(actual))
        {
            if (!expected.TryGetProperty(block, out var expectedBlock))
            {
                mismatches.Add($"{where}: block {block} missing from the golden file");
                continue;
            }

            foreach (var property in expectedBlock.EnumerateObject())
            {
                if (!fields.ContainsKey(property.Name))
                {
                    mismatches.Add($"{where} {block}.{property.Name}: not computed");
                }
            }

            foreach (var (field, value) in fields)
            {
                if (!expectedBlock.TryGetProperty(field, out var expectedValue))
                {
                    mismatches.Add($"{where} {block}.{field}: missing from the golden file");
                }
                else if (!Matches(expectedValue, value))
                {
                    mismatches.Add($"{where} {block}.{field}: {Format(value)}, expected {expectedValue.GetRawText()}");
                }
            }
        }
    }

    private static bool Matches(JsonElement expected, object? actual) => expected.ValueKind switch
    {
        JsonValueKind.Null => actual is null,
        JsonValueKind.String => actual is string text && text == expected.GetString(),
        JsonValueKind.Number => actual is double or int
            && Math.Abs(Convert.ToDouble(actual, CultureInfo.InvariantCulture) - expected.GetDouble())
                <= RelativeTolerance * Math.Abs(expected.GetDouble()),
        _ => false,
    };

    private static string Format(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    /// <summary>The report as the read API names its blocks and fields.</summary>
    private static IEnumerable<(string Block, Dictionary<string, object?> Fields)> Blocks(MetricsReport r)
    {
        static string? Tier(Tier? tier) => tier?.ToString().ToLowerInvariant();

        yield return ("deploymentFrequency", new()
        {
            ["deployments"] = r.DeploymentFrequency.Deployments,
            ["perDay"] = r.DeploymentFrequency.PerDay,
            ["deploymentDays"] = r.DeploymentFrequency.DeploymentDays,
            ["medianDeploymentDaysPerWeek"] = r.DeploymentFrequency.MedianDeploymentDaysPerWeek,
            ["tier"] = Tier(r.DeploymentFrequency.Tier),
        });
        yield return ("leadTimeForChanges", new()
        {
            ["changes"] = r.LeadTimeForChanges.Changes,
            ["medianSeconds"] = r.LeadTimeForChanges.MedianSeconds,
            ["p90Seconds"] = r.LeadTimeForChanges.P90Seconds,
            ["meanSeconds"] = r.LeadTimeForChanges.MeanSeconds,
            ["changesWithoutTimestamp"] = r.LeadTimeForChanges.ChangesWithoutTimestamp,
            ["negativeLeadTimes"] = r.LeadTimeForChanges.NegativeLeadTimes,
            ["tier"] = Tier(r.LeadTimeForChanges.Tier),
        });
        yield return ("changeFailureRate", new()
        {
            ["deployments"] = r.ChangeFailureRate.Deployments,
            ["failedDeployments"] = r.ChangeFailureRate.FailedDeployments,
            ["rate"] = r.ChangeFailureRate.Rate,
            ["tier"] = Tier(r.ChangeFailureRate.Tier),
        });
        yield return ("timeToRestore", new()
        {
            ["incidents"] = r.TimeToRestore.Incidents,
            ["medianSeconds"] = r.TimeToRestore.MedianSeconds,
            ["meanSeconds"] = r.TimeToRestore.MeanSeconds,
            ["p90Seconds"] = r.TimeToRestore.P90Seconds,
            ["openIncidents"] = r.TimeToRestore.OpenIncidents,
            ["tier"] = Tier(r.TimeToRestore.Tier),
        });
        yield return ("failedDeploymentRecoveryTime", new()
        {
            ["incidents"] = r.FailedDeploymentRecoveryTime.Incidents,
            ["medianSeconds"] = r.FailedDeploymentRecoveryTime.MedianSeconds,
            ["tier"] = Tier(r.FailedDeploymentRecoveryTime.Tier),
        });
        yield return ("reworkRate", new()
        {
            ["deployments"] = r.ReworkRate.Deployments,
            ["reworkDeployments"] = r.ReworkRate.ReworkDeployments,
            ["rate"] = r.ReworkRate.Rate,
        });
    }

    /// <summary>The golden folder: <c>STRIDE_GOLDEN_DIR</c>, else <c>../shared/golden</c> beside the repository root.</summary>
    private static string GoldenDirectory()
    {
        if (Environment.GetEnvironmentVariable("STRIDE_GOLDEN_DIR") is { Length: > 0 } overridden)
        {
            return overridden;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Stride.slnx")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "golden"));
            }
        }

        throw new DirectoryNotFoundException($"No Stride.slnx above {AppContext.BaseDirectory}.");
    }

    private sealed record Parameters(long From, long To, string Environment, string[] Systems, Benchmark Benchmark)
    {
        public static Parameters Read(JsonElement p) => new(
            p.GetProperty("from").GetInt64(),
            p.GetProperty("to").GetInt64(),
            p.TryGetProperty("environment", out var env) ? env.GetString()! : "production",
            p.TryGetProperty("system", out var systems) ? [.. systems.EnumerateArray().Select(s => s.GetString()!)] : [],
            p.TryGetProperty("benchmark", out var benchmark) && benchmark.GetString() == "2021"
                ? Benchmark.Dora2021
                : Benchmark.Dora2023);
    }
}
