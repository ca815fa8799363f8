using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Stride.Server.Tests.Operations;

/// <summary>One sample of a scrape: metric name, labels and value.</summary>
internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, so that the tests fail on
/// anything a Prometheus server would refuse, and a scrape's samples are easy to assert on.
/// </summary>
internal sealed partial class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText(IReadOnlyList<Sample> samples, IReadOnlyDictionary<string, string> types)
        => (Samples, Types) = (samples, types);

    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>Each metric family's declared type (<c>counter</c>, <c>gauge</c>, …), by name.</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    /// <summary>GET /metrics with the client's key, asserting a 200 in the text format, and parses it.</summary>
    public static async Task<PrometheusText> ScrapeAsync(HttpClient client)
    {
        var response = await client.GetAsync("/metrics", Http.Ct);
        var text = await response.Content.ReadAsStringAsync(Http.Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {text}");
        Assert.Equal(ContentType, response.Content.Headers.ContentType?.ToString());
        return Parse(text);
    }

    /// <summary>Parses an exposition, failing the test at the first line that breaks the format.</summary>
    public static PrometheusText Parse(string text)
    {
        Assert.EndsWith("\n", text);
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var helps = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            lineNumber++;
            var where = $"line {lineNumber}: '{line}'";
            if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', 4);
                Assert.True(parts.Length >= 3 && MetricName().IsMatch(parts[2]), where);
                if (parts[1] == "TYPE")
                {
                    Assert.True(parts.Length == 4 && parts[3] is "counter" or "gauge" or "histogram" or "summary" or "untyped", where);
                    Assert.True(types.TryAdd(parts[2], parts[3]), $"Second TYPE for {parts[2]} at {where}");
                }
                else
                {
                    Assert.True(helps.Add(parts[2]), $"Second HELP for {parts[2]} at {where}");
                }

                continue;
            }

            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var nameMatch = SampleName().Match(line);
            Assert.True(nameMatch.Success, $"Not a sample: {where}");
            var name = nameMatch.Value;
            var rest = line[name.Length..];
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (rest.StartsWith('{'))
            {
                // Label values are quoted and may hold any character, '}' and ',' included.
                var label = LabelPair().Match(rest, 1);
                var at = 1;
                while (label.Success && label.Index == at)
                {
                    Assert.True(labels.TryAdd(label.Groups["key"].Value, Unescape(label.Groups["value"].Value)), $"Repeated label at {where}");
                    at += label.Length;
                    label = label.NextMatch();
                }

                Assert.True(at < rest.Length && rest[at] == '}', $"Bad labels: {where}");
                rest = rest[(at + 1)..];
            }

            var valueMatch = ValueAndTimestamp().Match(rest);
            Assert.True(valueMatch.Success, $"Not a sample: {where}");
            Assert.True(TryParseValue(valueMatch.Groups["value"].Value, out var value), $"Bad value at {where}");

            // A sample belongs to a family declared before it (histograms and summaries add suffixes).
            var family = types.Keys.FirstOrDefault(f => name == f || (name.StartsWith(f + "_", StringComparison.Ordinal)
                && name[(f.Length + 1)..] is "bucket" or "sum" or "count"));
            Assert.True(family is not null, $"Sample without a TYPE before it at {where}");
            if (types[family] == "counter")
            {
                Assert.True(name.EndsWith("_total", StringComparison.Ordinal) && value >= 0, $"Counter name or value at {where}");
            }

            var key = name + "{" + string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
            Assert.True(seen.Add(key), $"Duplicate series {key} at {where}");
            samples.Add(new Sample(name, labels, value));
        }

        return new PrometheusText(samples, types);
    }

    /// <summary>The value of the one series with exactly these labels, or null when there is none.</summary>
    public double? Find(string name, params (string Key, string Value)[] labels)
    {
        var found = Samples.Where(s => s.Name == name && s.Labels.Count == labels.Length
            && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToArray();
        Assert.True(found.Length <= 1);
        return found.Length == 1 ? found[0].Value : null;
    }

    /// <summary>The value of the one series with exactly these labels, failing when there is none.</summary>
    public double Value(string name, params (string Key, string Value)[] labels)
        => Find(name, labels) ?? throw new Xunit.Sdk.XunitException(
            $"No series {name}{{{string.Join(",", labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} in the scrape; it has:\n"
            + string.Join("\n", Samples.Where(s => s.Name == name).Select(s => string.Join(",", s.Labels.Select(l => $"{l.Key}={l.Value}")))));

    /// <summary>The counter's value, 0 when the series does not exist yet.</summary>
    public double Counter(string name, params (string Key, string Value)[] labels) => Find(name, labels) ?? 0;

    private static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "NaN":
                value = double.NaN;
                return true;
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    private static string Unescape(string value)
    {
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\')
            {
                i++;
                builder.Append(value[i] switch
                {
                    'n' => '\n',
                    '\\' => '\\',
                    '"' => '"',
                    _ => throw new Xunit.Sdk.XunitException($"Bad escape in label value '{value}'"),
                });
            }
            else
            {
                builder.Append(value[i]);
            }
        }

        return builder.ToString();
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();

    [GeneratedRegex("""^ (?<value>\S+)( -?\d+)?$""")]
    private static partial Regex ValueAndTimestamp();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(?:[^"\\]|\\.)*)",?""")]
    private static partial Regex LabelPair();
}
