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
    // Batches as a pipeline would send them; order is kept (later pushes replace earlier ones).
    private const int BatchSize = 500;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Files() => GoldenData.Files();

    [Fact]
    public void GoldenDatasetsAreThere() => Assert.NotEmpty(Files());

    [Theory]
    [MemberData(nameof(Files))]
    public async Task DatasetReadBackFromTheStoreMatchesEveryExpectedValue(string file)
    {
        var root = GoldenData.Load(file);
        var provider = new TProvider();
        Assert.True(provider.IsAvailable, provider.UnavailableReason);   // never skipped: a missing server fails the run
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
        var queries = await GoldenData.CompareQueriesAsync(
            file, root, (p, from, to) => store.Events.ReadFactsAsync(org, from, to, p.Environment, p.Systems, Ct), mismatches);

        var seriesIndex = 0;
        foreach (var series in root.GetProperty("series").EnumerateArray())
        {
            // Each bucket is read on its own: the store must answer any window, not only whole queries.
            var p = GoldenParameters.Read(series.GetProperty("params"));
            var where = $"{file} series {seriesIndex}";
            var bucketIndex = 0;
            foreach (var bucket in series.GetProperty("expected").EnumerateArray())
            {
                var start = bucket.GetProperty("start").GetInt64();
                var end = bucket.GetProperty("end").GetInt64();
                var facts = await store.Events.ReadFactsAsync(org, start, end, p.Environment, p.Systems, Ct);
                GoldenData.Compare($"{where} bucket {bucketIndex}", bucket, MetricsEngine.Compute(facts, start, end, p.Benchmark), mismatches);
                bucketIndex++;
            }

            seriesIndex++;
        }

        // Read by day, as the read API and the series in UTC do: each window on its own (a window
        // and its previous one split at an instant that need not be a midnight), and a series whole.
        var byDayIndex = 0;
        foreach (var query in root.GetProperty("queries").EnumerateArray())
        {
            var p = GoldenParameters.Read(query.GetProperty("params"));
            var previousFrom = p.From - (p.To - p.From);
            var expected = query.GetProperty("expected");
            var where = $"{file} query {byDayIndex} read by day";
            var current = await store.Events.ReadFactsByDayAsync(org, p.From, p.To, p.Environment, p.Systems, Ct);
            var previous = await store.Events.ReadFactsByDayAsync(org, previousFrom, p.From, p.Environment, p.Systems, Ct);
            GoldenData.Compare(where, expected, MetricsEngine.Compute(current, p.From, p.To, p.Benchmark), mismatches);
            GoldenData.Compare($"{where} previous", expected.GetProperty("previous"), MetricsEngine.Compute(previous, previousFrom, p.From, p.Benchmark), mismatches);
            byDayIndex++;
        }

        seriesIndex = 0;
        foreach (var series in root.GetProperty("series").EnumerateArray())
        {
            var p = GoldenParameters.Read(series.GetProperty("params"));
            var buckets = series.GetProperty("expected").EnumerateArray()
                .Select(b => (Start: b.GetProperty("start").GetInt64(), End: b.GetProperty("end").GetInt64(), Expected: b))
                .ToList();
            var (from, to) = (buckets[0].Start, buckets[^1].End);
            if (DayFacts.CutNoDay(from, to, buckets.Select(b => (b.Start, b.End))))
            {
                var prepared = MetricsEngine.Prepare(await store.Events.ReadFactsByDayAsync(org, from, to, p.Environment, p.Systems, Ct));
                for (var i = 0; i < buckets.Count; i++)
                {
                    GoldenData.Compare(
                        $"{file} series {seriesIndex} bucket {i} read by day",
                        buckets[i].Expected,
                        prepared.Compute(buckets[i].Start, buckets[i].End, p.Benchmark),
                        mismatches);
                }
            }

            seriesIndex++;
        }

        Assert.True(queries > 0, $"{file} has no queries");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n{string.Join('\n', mismatches.Take(60))}");
    }

    private static Event ShiftedByADay(Event e) => e switch
    {
        Change c => c with { Timestamp = c.Timestamp + 86_400 },
        Deployment d => d with { Timestamp = d.Timestamp + 86_400 },
        Incident i => i with { TimestampCreated = i.TimestampCreated + 86_400, TimestampResolved = i.TimestampResolved + 86_400 },
        _ => e,
    };
}
