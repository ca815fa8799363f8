using Prometheus;
using Stride.Server.Auth;
using Stride.Storage;

namespace Stride.Server.Operations;

/// <summary>
/// <c>GET /metrics</c> (SPEC §4.7): request and ingestion counters, process figures, and the four
/// keys per organization and system as gauges, in Prometheus' text format.
/// </summary>
/// <remarks>
/// The metrics live in a registry of this app, not prometheus-net's static default one: that one
/// would also publish every <c>System.Diagnostics.Metrics</c> meter and event counter of the
/// process, and ASP.NET Core records its per-request meters only when someone listens, which would
/// add work to every request. Only prometheus-net's process figures (CPU, memory, GC, threads),
/// read at scrape time, are kept. A registry per app also keeps test servers in one process apart.
/// </remarks>
internal static class OperationsApi
{
    public const string Path = "/metrics";

    /// <summary>Registers the registry, the counters and the gauges, with the settings of <c>Stride:Prometheus</c>.</summary>
    public static WebApplicationBuilder AddStrideOperations(this WebApplicationBuilder builder)
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();   // nothing traces requests, so there is nothing to link to
        DotNetStats.Register(registry);

        var services = builder.Services;
        services.AddSingleton(registry);
        services.AddSingleton<IMetricFactory>(factory);
        services.AddSingleton(PrometheusSettings.From(builder.Configuration));
        services.AddSingleton<RequestCounters>();
        services.AddSingleton<StoredEventCounters>();
        services.AddSingleton<FourKeysGauges>();
        return builder;
    }

    /// <summary>Counts requests; call before any other middleware, so that errors are counted with the status sent.</summary>
    public static IApplicationBuilder UseRequestCounters(this IApplicationBuilder app)
        => app.Use(app.ApplicationServices.GetRequiredService<RequestCounters>().Middleware);

    /// <summary>
    /// Maps <c>GET /metrics</c> for keys with the server-wide <c>operator</c> scope only: it shows every
    /// organization's numbers and the whole server's traffic, which no organization's key may see.
    /// </summary>
    public static IEndpointConventionBuilder MapOperationsApi(this IEndpointRouteBuilder routes)
    {
        var services = routes.ServiceProvider;
        var registry = services.GetRequiredService<CollectorRegistry>();
        var gauges = services.GetRequiredService<FourKeysGauges>();
        var stored = services.GetRequiredService<StoredEventCounters>();
        var keys = services.GetRequiredService<IKeyStore>();
        registry.AddBeforeCollectCallback(gauges.UpdateAsync);
        registry.AddBeforeCollectCallback(ct => stored.PublishAsync(keys, ct));

        return routes.MapMetrics(s => s.Registry = registry, Path)
            .RequireScope(Scopes.Operator)
            .WithDisplayName("GetPrometheusMetrics");
    }
}
