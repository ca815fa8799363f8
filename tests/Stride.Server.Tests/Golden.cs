using System.Text.Json;

namespace Stride.Server.Tests;

/// <summary>The datasets of <c>../shared/golden</c>, with expected values from an independent implementation.</summary>
internal static class Golden
{
    public const double Tolerance = 1e-6;

    public static string Directory
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable("STRIDE_GOLDEN_DIR");
            if (!string.IsNullOrEmpty(overridden))
            {
                return overridden;
            }

            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Stride.slnx")))
            {
                dir = dir.Parent;
            }

            return Path.GetFullPath(Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Stride.slnx not found above the test binaries."), "..", "shared", "golden"));
        }
    }

    public static TheoryData<string> Files()
    {
        var files = System.IO.Directory.GetFiles(Directory, "*.json").Select(Path.GetFileName).Order().ToArray();
        Assert.NotEmpty(files);
        return new TheoryData<string>(files!);
    }

    public static JsonElement Load(string file)
        => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, file))).RootElement;

    /// <summary>Compares an expected JSON value with an actual one: numbers within tolerance, null as null.</summary>
    public static void AssertMatches(JsonElement expected, JsonElement actual, string path, List<string> failures)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in expected.EnumerateObject())
                {
                    if (!actual.TryGetProperty(property.Name, out var value))
                    {
                        failures.Add($"{path}.{property.Name}: missing");
                        continue;
                    }

                    AssertMatches(property.Value, value, $"{path}.{property.Name}", failures);
                }

                break;
            case JsonValueKind.Number:
                if (actual.ValueKind != JsonValueKind.Number)
                {
                    failures.Add($"{path}: expected {expected}, got {actual}");
                    break;
                }

                var e = expected.GetDouble();
                var a = actual.GetDouble();
                if (Math.Abs(e - a) > Tolerance * Math.Max(1, Math.Abs(e)))
                {
                    failures.Add($"{path}: expected {e}, got {a}");
                }

                break;
            default:
                if (expected.ValueKind != actual.ValueKind || expected.ToString() != actual.ToString())
                {
                    failures.Add($"{path}: expected {expected}, got {actual}");
                }

                break;
        }
    }
}
