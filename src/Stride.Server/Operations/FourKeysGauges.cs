using Prometheus;
using Stride.Core.Metrics;
using Stride.Storage;

namespace Stride.Server.Operations;

/// <summary>
/// The four keys of every organization and system over a trailing window, as gauges computed when
/// Prometheus scrapes (SPEC §3 and §4.7).
/// </summary>
/// <remarks>
/// <para>The numbers are those of <c>GET /api/v1/metrics?system=S</c> for the window
/// <c>[now − window, now)</c> in the configured environment. A value with no data (a median of
/// nothing, a rate over no deployments) has no series rather than a made-up number, and the series
/// of a system or organization that is gone are removed.</para>
/// <para>The store's facts do not say which system they belong to, so each system is read on its
/// own: one read per organization for its system names, then one per system. The result is kept
/// for <see cref="PrometheusSettings.CacheFor"/>, and concurrent scrapes wait for one computation.
/// When the store fails, the previous values stay and <see cref="UpdatedName"/> stops moving, which
/// an alert can watch. Safe for concurrent use.</para>
/// </remarks>
internal sealed class FourKeysGauges
{
    public const string DeploymentsName = "stride_window_deployments";
    public const string FrequencyName = "stride_deployment_frequency_per_day";
    public const string LeadTimeName = "stride_lead_time_for_changes_median_seconds";
    public const string FailureRateName = "stride_change_failure_rate_ratio";
    public const string RestoreName = "stride_time_to_restore_median_seconds";
    public const string WindowName = "stride_window_seconds";
    public const string UpdatedName = "stride_four_keys_updated_timestamp_seconds";

    private static readonly string[] Labels = ["organization", "system"];

    private readonly IKeyStore _keys;
    private readonly IEventStore _events;
    private readonly TimeProvider _time;
    private readonly PrometheusSettings _settings;
    private readonly ILogger<FourKeysGauges> _logger;
    private readonly Gauge[] _all;
    private readonly Gauge _deployments;
    private readonly Gauge _frequency;
    private readonly Gauge _leadTime;
    private readonly Gauge _failureRate;
    private readonly Gauge _restore;
    private readonly Gauge _updated;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long? _computedAt;

    public FourKeysGauges(
        IMetricFactory metrics, IKeyStore keys, IEventStore events, TimeProvider time, PrometheusSettings settings, ILogger<FourKeysGauges> logger)
    {
        (_keys, _events, _time, _settings, _logger) = (keys, events, time, settings, logger);
        var window = $"over the trailing {settings.Window.TotalDays:0.##} days in environment '{settings.Environment}'";
        _deployments = metrics.CreateGauge(DeploymentsName, $"Successful deployments {window}.", Labels);
        _frequency = metrics.CreateGauge(FrequencyName, $"Deployment frequency: successful deployments per day {window}.", Labels);
        _leadTime = metrics.CreateGauge(LeadTimeName, $"Median lead time for changes, in seconds, of changes first deployed {window}.", Labels);
        _failureRate = metrics.CreateGauge(FailureRateName, $"Change failure rate: the share of deployments {window} with an attributed incident (0 to 1).", Labels);
        _restore = metrics.CreateGauge(RestoreName, $"Median time to restore, in seconds, of incidents resolved {window}.", Labels);
        _all = [_deployments, _frequency, _leadTime, _failureRate, _restore];
        metrics.CreateGauge(WindowName, "Length of the trailing window of the four-key gauges, in seconds.").Set(settings.Window.TotalSeconds);
        _updated = metrics.CreateGauge(UpdatedName, "Unix time of the last successful computation of the four-key gauges (the end of their window).");
    }

    /// <summary>Recomputes the gauges unless the last computation is recent enough; called before each scrape.</summary>
    public async Task UpdateAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var started = _time.GetTimestamp();
            if (_computedAt is { } at && _time.GetElapsedTime(at, started) < _settings.CacheFor)
            {
                return;
            }

            await ComputeAsync(ct);
            _computedAt = started;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The counters are still worth a scrape: keep the last values, and let the timestamp show their age.
            _logger.LogWarning(e, "The four-key gauges could not be computed; the previous values stay");
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ComputeAsync(CancellationToken ct)
    {
        var to = _time.GetUtcNow().ToUnixTimeSeconds();
        var from = to - (long)_settings.Window.TotalSeconds;
        var present = _all.ToDictionary(g => g, _ => new HashSet<(string, string)>());
        foreach (var organization in await _keys.ListOrganizationsAsync(ct))
        {
            foreach (var system in await _events.ListSystemNamesAsync(organization.Id, ct))
            {
                var facts = await _events.ReadFactsAsync(organization.Id, from, to, _settings.Environment, [system], ct);
                var report = MetricsEngine.Compute(facts, from, to, Benchmark.Dora2023);
                var labels = (organization.Name, system);
                Set(_deployments, labels, report.DeploymentFrequency.Deployments, present);
                Set(_frequency, labels, report.DeploymentFrequency.PerDay, present);
                Set(_leadTime, labels, report.LeadTimeForChanges.MedianSeconds, present);
                Set(_failureRate, labels, report.ChangeFailureRate.Rate, present);
                Set(_restore, labels, report.TimeToRestore.MedianSeconds, present);
            }
        }

        // Series of systems that are gone, and values that now have no data, disappear rather than stay stale.
        foreach (var gauge in _all)
        {
            foreach (var values in gauge.GetAllLabelValues().ToArray())
            {
                if (!present[gauge].Contains((values[0], values[1])))
                {
                    gauge.RemoveLabelled(values);
                }
            }
        }

        _updated.Set(to);
    }

    private static void Set(Gauge gauge, (string Organization, string System) labels, double? value,
        Dictionary<Gauge, HashSet<(string, string)>> present)
    {
        if (value is { } v)
        {
            gauge.WithLabels(labels.Organization, labels.System).Set(v);
            present[gauge].Add(labels);
        }
    }
}
