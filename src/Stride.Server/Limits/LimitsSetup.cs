using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Stride.Server.Auth;

namespace Stride.Server.Limits;

/// <summary>
/// Per-key rate limiting (429 with <c>Retry-After</c>) and a time limit on requests whose work grows with
/// the stored history (503), both answered as problem details, and the request body size (Kestrel's
/// limit: 413). Batch size, JSON depth and string lengths are checked where bodies are read.
/// </summary>
internal static class LimitsSetup
{
    public const string Section = "Stride:Limits";

    public static IServiceCollection AddStrideLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<LimitSettings>() ?? new LimitSettings();
        services.AddSingleton(settings);
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = settings.MaxRequestBodyBytes);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(settings.ShutdownTimeoutSeconds));
        services.AddRateLimiter(o =>
        {
            // One factory for every key's bucket, made here rather than a closure per request.
            var bucket = Bucket(settings);
            Func<string, TokenBucketRateLimiterOptions> newBucket = _ => bucket;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, settings, newBucket));
            o.OnRejected = RejectAsync;
        });
        if (settings.RequestTimeoutSeconds > 0)
        {
            services.AddRequestTimeouts(o => o.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(settings.RequestTimeoutSeconds),
                TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
                WriteTimeoutResponse = context => WriteProblemAsync(
                    context, StatusCodes.Status503ServiceUnavailable, "Service Unavailable",
                    $"The request took longer than {settings.RequestTimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s and was stopped; "
                    + "nothing of it was stored unless it was already committed. Retry it (events are idempotent)."),
            });
        }

        return services;
    }

    /// <summary>Exempts ingestion routes from the request time limit.</summary>
    /// <remarks>
    /// Their work is bounded by the body limit (at most 100,000 events: a few seconds), and stopping a
    /// write half-way only makes the client send the whole batch again. The time limit is for reads,
    /// whose work grows with the history a window covers. Exempt routes also skip the limit's cost
    /// (a linked, timed cancellation source per request: 3 µs, 7 % of a single-event request).
    /// </remarks>
    public static TBuilder WithoutRequestTimeout<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new DisableRequestTimeoutAttribute());

    /// <summary>Place after <c>UseAuthentication</c>, so that requests are counted per key.</summary>
    public static IApplicationBuilder UseStrideLimits(this IApplicationBuilder app)
    {
        var settings = app.ApplicationServices.GetRequiredService<LimitSettings>();
        if (settings.RequestTimeoutSeconds > 0)
        {
            app.UseRequestTimeouts();
        }

        return app.UseRateLimiter();
    }

    /// <summary>Each key gets its own bucket; requests without a key share one per client address.</summary>
    /// <remarks>
    /// Probes are never limited: a load balancer must always see a live node as live. A key's partition is
    /// its id (digits) and an address's its text (with dots or colons), so the two never meet; neither
    /// allocates for a request with a key.
    /// </remarks>
    private static RateLimitPartition<string> Partition(
        HttpContext context, LimitSettings settings, Func<string, TokenBucketRateLimiterOptions> newBucket)
    {
        var path = context.Request.Path;
        if (settings.RequestsPerSecond <= 0 || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz"))
        {
            return RateLimitPartition.GetNoLimiter("");
        }

        var key = context.User.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)?.Value
            ?? context.Connection.RemoteIpAddress?.ToString()
            ?? "";
        return RateLimitPartition.GetTokenBucketLimiter(key, newBucket);
    }

    /// <summary>A key's bucket: <see cref="LimitSettings.RequestsPerSecond"/> sustained, <see cref="LimitSettings.Burst"/> at once.</summary>
    private static TokenBucketRateLimiterOptions Bucket(LimitSettings settings)
    {
        // Refilled ten times a second, so that a client at the limit is not refused a whole second at a time.
        var perTenth = Math.Max(1, (int)Math.Ceiling(settings.RequestsPerSecond / 10.0));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(settings.Burst, perTenth),
            TokensPerPeriod = perTenth,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perTenth / (double)settings.RequestsPerSecond),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    private static ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return new ValueTask(WriteProblemAsync(
            rejected.HttpContext, StatusCodes.Status429TooManyRequests, "Too Many Requests",
            $"This key (or, without one, this address) sent more than its "
            + $"{rejected.HttpContext.RequestServices.GetRequiredService<LimitSettings>().RequestsPerSecond} requests per second. "
            + $"Retry after {seconds} s, or send events in batches (POST /api/v1/events takes up to 100,000 per request)."));
    }

    private static Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}

/// <summary>The <c>Stride:Limits</c> settings.</summary>
internal sealed class LimitSettings
{
    /// <summary>Sustained requests per second per key (and per client address for requests without one); 0 turns the limit off.</summary>
    public int RequestsPerSecond { get; set; } = 1_000;

    /// <summary>How many requests a key may send at once above the sustained rate.</summary>
    public int Burst { get; set; } = 2_000;

    /// <summary>The largest request body accepted, in bytes (a larger one is answered 413). 30 MB holds 100,000 events.</summary>
    public long MaxRequestBodyBytes { get; set; } = 30_000_000;

    /// <summary>The longest a request may take before it is stopped with 503; 0 turns the limit off.</summary>
    public double RequestTimeoutSeconds { get; set; } = 100;

    /// <summary>How long a stopping server (SIGTERM, Ctrl+C) waits for requests in flight before it ends anyway.</summary>
    public double ShutdownTimeoutSeconds { get; set; } = 30;
}
