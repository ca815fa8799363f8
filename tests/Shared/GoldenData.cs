using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Tests.Shared;

/// <summary>
/// The datasets of <c>../shared/golden</c>, whose expected values come from an independent
/// implementation of SPEC §3. Shared by the Core, Storage and Server tests.
/// </summary>
internal static class GoldenData
{
    public const double RelativeTolerance = 1e-6;

    /// <summary><c>STRIDE_GOLDEN_DIR</c>, else <c>../shared/golden</c> beside the repository root.</summary>
    public static string Directory
    {
        get
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
    }

    /// <summary>Every dataset file name, so that a new file is tested without a code change.</summary>
    public static TheoryData<string> Files()
    {
        var files = System.IO.Directory.EnumerateFiles(Directory, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(files);
        return new TheoryData<string>(files!);
    }

    /// <summary>A golden query's <c>params</c> as a URL query string (arrays repeat their name: <c>system=a&amp;system=b</c>).</summary>
    public static string QueryString(JsonElement parameters)
    {
        var pairs = new List<string>();
        foreach (var p in parameters.EnumerateObject())
        {
            var values = p.Value.ValueKind == JsonValueKind.Array ? p.Value.EnumerateArray().ToArray() : [p.Value];
            pairs.AddRange(values.Select(v => $"{p.Name}={Uri.EscapeDataString(v.ToString())}"));
        }

        return string.Join('&', pairs);
    }

    public static JsonElement Load(string file)
        => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, file))).RootElement;

    /// <summary>
    /// Compares every query of a dataset, the window and its <c>previous</c>, computed from the
    /// facts <paramref name="readFacts"/> gives for <c>[from, to)</c>.
    /// </summary>
    /// <returns>How many queries there were.</returns>
    public static async Task<int> CompareQueriesAsync(
        string file, JsonElement root, Func<GoldenParameters, long, long, Task<WindowFacts>> readFacts, List<string> mismatches)
    {
        var index = 0;
        foreach (var query in root.GetProperty("queries").EnumerateArray())
        {
            var p = GoldenParameters.Read(query.GetProperty("params"));
            var length = p.To - p.From;
            var prepared = MetricsEngine.Prepare(await readFacts(p, p.From - length, p.To));
            var expected = query.GetProperty("expected");
            var where = $"{file} query {index}";
            Compare(where, expected, prepared.Compute(p.From, p.To, p.Benchmark), mismatches);
            Compare($"{where} previous", expected.GetProperty("previous"), prepared.Compute(p.From - length, p.From, p.Benchmark), mismatches);
            index++;
        }

        return index;
    }

    /// <summary>A report as the read API writes it: camelCase names, tiers as lowercase words.</summary>
    public static JsonElement ToJson(MetricsReport report) => JsonSerializer.SerializeToElement(report, ApiJson);

    /// <summary>Compares expected with actual JSON: numbers within tolerance, null as null, every expected field present.</summary>
    public static void Compare(string where, JsonElement expected, JsonElement actual, List<string> mismatches)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in expected.EnumerateObject())
                {
                    if (actual.ValueKind != JsonValueKind.Object || !actual.TryGetProperty(property.Name, out var value))
                    {
                        mismatches.Add($"{where}.{property.Name}: missing");
                    }
                    else
                    {
                        Compare($"{where}.{property.Name}", property.Value, value, mismatches);
                    }
                }

                break;
            case JsonValueKind.Number:
                var e = expected.GetDouble();
                if (actual.ValueKind != JsonValueKind.Number
                    || Math.Abs(actual.GetDouble() - e) > RelativeTolerance * Math.Abs(e))
                {
                    mismatches.Add($"{where}: {actual.GetRawText()}, expected {expected.GetRawText()}");
                }

                break;
            default:
                if (expected.ValueKind != actual.ValueKind || expected.GetRawText() != actual.GetRawText())
                {
                    mismatches.Add($"{where}: {actual.GetRawText()}, expected {expected.GetRawText()}");
                }

                break;
        }
    }

    /// <summary>Compares the six blocks of a report with an expected object (extra expected keys such as <c>previous</c> are ignored).</summary>
    public static void Compare(string where, JsonElement expected, MetricsReport actual, List<string> mismatches)
    {
        foreach (var block in ToJson(actual).EnumerateObject())
        {
            if (!expected.TryGetProperty(block.Name, out var expectedBlock))
            {
                mismatches.Add($"{where}.{block.Name}: missing from the golden file");
                continue;
            }

            Compare($"{where}.{block.Name}", expectedBlock, block.Value, mismatches);
            foreach (var field in block.Value.EnumerateObject().Where(f => !expectedBlock.TryGetProperty(f.Name, out _)))
            {
                mismatches.Add($"{where}.{block.Name}.{field.Name}: not in the golden file");
            }
        }
    }

    private static readonly JsonSerializerOptions ApiJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}

/// <summary>The <c>params</c> of a golden query, normalized as the read API normalizes them.</summary>
internal sealed record GoldenParameters(long From, long To, string Environment, string[] Systems, Benchmark Benchmark)
{
    public static GoldenParameters Read(JsonElement p) => new(
        p.GetProperty("from").GetInt64(),
        p.GetProperty("to").GetInt64(),
        EnvironmentName.Normalize(p.TryGetProperty("environment", out var env) ? env.GetString() : null),
        p.TryGetProperty("system", out var systems) ? [.. systems.EnumerateArray().Select(s => SystemName.Normalize(s.GetString()))] : [],
        p.TryGetProperty("benchmark", out var benchmark) && benchmark.GetString() == "2021" ? Benchmark.Dora2021 : Benchmark.Dora2023);
}

/// <summary>A test-only reader of the <c>POST /api/v1/events</c> items the golden files hold.</summary>
internal static class GoldenEvents
{
    public static Event Parse(JsonElement item) => item.GetProperty("type").GetString() switch
    {
        "change" => new Change(
            SystemOf(item),
            item.GetProperty("identifier").GetString()!,
            Timestamp(item.GetProperty("timestamp"))),
        "deployment" => new Deployment(
            SystemOf(item),
            item.GetProperty("identifier").GetString()!,
            Timestamp(item.GetProperty("timestamp")),
            EnvironmentName.Normalize(OptionalString(item, "environment")),
            ResultOf(OptionalString(item, "result")),
            Strings(item, "changes"),
            Strings(item, "teams"),
            OptionalString(item, "commit"),
            item.TryGetProperty("rework", out var rework) && rework.ValueKind == JsonValueKind.True),
        "incident" => new Incident(
            SystemOf(item),
            item.GetProperty("identifier").GetString()!,
            Timestamp(item.GetProperty("timestampCreated")),
            item.TryGetProperty("timestampResolved", out var resolved) && resolved.ValueKind != JsonValueKind.Null
                ? Timestamp(resolved)
                : null,
            OptionalString(item, "deployment")),
        var type => throw new InvalidDataException($"Unknown event type '{type}'."),
    };

    public static long Timestamp(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetInt64();
        }

        var text = value.GetString() ?? throw new InvalidDataException("Null timestamp.");
        return Timestamps.TryParseRfc3339(text, out var seconds)
            ? seconds
            : throw new InvalidDataException($"Bad timestamp '{text}'.");
    }

    private static string SystemOf(JsonElement item) => SystemName.Normalize(OptionalString(item, "system"));

    private static DeploymentResult ResultOf(string? result) => result?.ToLowerInvariant() switch
    {
        null or "success" => DeploymentResult.Success,
        "failure" => DeploymentResult.Failure,
        "aborted" => DeploymentResult.Aborted,
        _ => throw new InvalidDataException($"Unknown result '{result}'."),
    };

    private static string? OptionalString(JsonElement item, string name)
        => item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string[] Strings(JsonElement item, string name)
        => item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray().Select(v => v.GetString()!)]
            : [];
}
