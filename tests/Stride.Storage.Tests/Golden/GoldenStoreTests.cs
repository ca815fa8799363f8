using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Stride.Core.Events;
using Stride.Core.Metrics;
using Stride.Core.Series;
using Stride.Storage.Tests.Sqlite;

namespace Stride.Storage.Tests.Golden;

public sealed class SqliteGoldenStoreTests : GoldenStoreTests<SqliteStoreProvider>;

/// <summary>
/// Replays every shared golden dataset into a store, reads facts back for every query and series
/// bucket, runs <see cref="MetricsEngine"/> on them and compares every number with the expected one.
/// </summary>
public abstract class GoldenStoreTests<TProvider>
    where TProvider : StoreProvider, new()
{
    private const double RelativeTolerance = 1e-6;

    // Batches as a pipeline would send them; order is kept (later pushes replace earlier ones).
    private const int BatchSize = 500;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(GoldenDirectory(), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Fact]
    public void GoldenDatasetsAreThere() => Assert.NotEmpty(Files());

    [Theory]
    [MemberData(nameof(Files))]
    public async Task DatasetReadBackFromTheStoreMatchesEveryExpectedValue(string file)
    {
        using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(GoldenDirectory(), file), Ct));
        var root = document.RootElement;
        var provider = new TProvider();
        Assert.SkipUnless(provider.IsAvailable, provider.UnavailableReason);
        await using var store = await provider.CreateStoreAsync(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)), Ct);
        var org = await store.Keys.EnsureOrganizationAsync("golden", Ct);

        // A second organization with the same events shifted by a day must not leak into the first.
        var decoy = await store.Keys.EnsureOrganizationAsync("decoy", Ct);
        var events = root.GetProperty("events").EnumerateArray().Select(GoldenEvents.Parse).ToList();
        foreach (var batch in events.Chunk(BatchSize))
        {
            await store.Events.AppendAsync(org, batch, Ct);
            await store.Events.AppendAsync(decoy, [.. batch.Select(ShiftedByADay)], Ct);
        }

        var mismatches = new List<string>();
        var queryIndex = 0;
        foreach (var query in root.GetProperty("queries").EnumerateArray())
        {
            var p = Parameters.Read(query.GetProperty("params"));
            var length = p.To - p.From;
            var facts = await store.Events.ReadFactsAsync(org, p.From - length, p.To, p.Environment, p.Systems, Ct);
            var prepared = MetricsEngine.Prepare(facts);
            var expected = query.GetProperty("expected");
            var where = $"{file} query {queryIndex}";
            Compare(where, expected, prepared.Compute(p.From, p.To, p.Benchmark), mismatches);
            Compare($"{where} previous", expected.GetProperty("previous"), prepared.Compute(p.From - length, p.From, p.Benchmark), mismatches);
            queryIndex++;
        }

        var seriesIndex = 0;
        foreach (var series in root.GetProperty("series").EnumerateArray())
        {
            // Each bucket is read on its own: the store must answer any window, not only whole queries.
            var p = Parameters.Read(series.GetProperty("params"));
            var where = $"{file} series {seriesIndex}";
            var bucketIndex = 0;
            foreach (var bucket in series.GetProperty("expected").EnumerateArray())
            {
                var start = bucket.GetProperty("start").GetInt64();
                var end = bucket.GetProperty("end").GetInt64();
                var facts = await store.Events.ReadFactsAsync(org, start, end, p.Environment, p.Systems, Ct);
                Compare($"{where} bucket {bucketIndex}", bucket, MetricsEngine.Compute(facts, start, end, p.Benchmark), mismatches);
                bucketIndex++;
            }

            seriesIndex++;
        }

        Assert.True(queryIndex > 0, $"{file} has no queries");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n{string.Join('\n', mismatches.Take(60))}");
    }

    private static Event ShiftedByADay(Event e) => e switch
    {
        Change c => c with { Timestamp = c.Timestamp + 86_400 },
        Deployment d => d with { Timestamp = d.Timestamp + 86_400 },
        Incident i => i with { TimestampCreated = i.TimestampCreated + 86_400, TimestampResolved = i.TimestampResolved + 86_400 },
        _ => e,
    };

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

    /// <param name="Systems">Normalized like the read API normalizes its <c>system</c> parameters.</param>
    private sealed record Parameters(long From, long To, string Environment, string[] Systems, Benchmark Benchmark)
    {
        public static Parameters Read(JsonElement p) => new(
            p.GetProperty("from").GetInt64(),
            p.GetProperty("to").GetInt64(),
            EnvironmentName.Normalize(p.TryGetProperty("environment", out var env) ? env.GetString() : null),
            p.TryGetProperty("system", out var systems) ? [.. systems.EnumerateArray().Select(s => SystemName.Normalize(s.GetString()))] : [],
            p.TryGetProperty("benchmark", out var benchmark) && benchmark.GetString() == "2021"
                ? Benchmark.Dora2021
                : Benchmark.Dora2023);
    }
}
