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
    public static TheoryData<string> Files() => GoldenData.Files();

    [Theory]
    [MemberData(nameof(Files))]
    public async Task DatasetMatchesEveryExpectedValue(string file)
    {
        var root = GoldenData.Load(file);
        var ledger = new Ledger();
        foreach (var item in root.GetProperty("events").EnumerateArray())
        {
            ledger.Apply(GoldenEvents.Parse(item));
        }

        var mismatches = new List<string>();
        await GoldenData.CompareQueriesAsync(
            file, root, (p, from, to) => Task.FromResult(ledger.Facts(from, to, p.Environment, p.Systems)), mismatches);

        var seriesIndex = 0;
        foreach (var series in root.GetProperty("series").EnumerateArray())
        {
            var parameters = series.GetProperty("params");
            var p = GoldenParameters.Read(parameters);
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

                GoldenData.Compare($"{where} bucket {b}", expected[b], prepared.Compute(start, end, p.Benchmark), mismatches);
            }

            seriesIndex++;
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n{string.Join('\n', mismatches.Take(60))}");
    }
}
