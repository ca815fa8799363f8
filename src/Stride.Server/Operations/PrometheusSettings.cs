using System.Globalization;

namespace Stride.Server.Operations;

/// <summary>What the four-key gauges of <c>GET /metrics</c> cover, from <c>Stride:Prometheus:*</c>.</summary>
/// <param name="Window">The trailing window the gauges are computed over, ending at the scrape.</param>
/// <param name="Environment">The normalized environment whose deployments count.</param>
/// <param name="CacheFor">How long computed gauges are reused, so that frequent scrapes (or several Prometheus servers) stay cheap.</param>
internal sealed record PrometheusSettings(TimeSpan Window, string Environment, TimeSpan CacheFor)
{
    public const string Section = "Stride:Prometheus";

    public static readonly PrometheusSettings Default = new(TimeSpan.FromDays(30), EnvironmentName.Production, TimeSpan.FromSeconds(15));

    /// <summary>Reads <c>WindowDays</c> (1 to 3650), <c>Environment</c> and <c>CacheSeconds</c> (0 to 3600); a bad value stops the start-up.</summary>
    public static PrometheusSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        return new PrometheusSettings(
            TimeSpan.FromDays(Number(section, "WindowDays", Default.Window.TotalDays, 1, 3650)),
            EnvironmentName.Normalize(section["Environment"]),
            TimeSpan.FromSeconds(Number(section, "CacheSeconds", Default.CacheFor.TotalSeconds, 0, 3600)));
    }

    private static double Number(IConfigurationSection section, string key, double fallback, double min, double max)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new InvalidOperationException($"{Section}:{key} must be a number from {min} to {max}; it is '{text}'.");
    }
}
