using Microsoft.AspNetCore.Http.HttpResults;
using Stride.Core.Events;
using Stride.Core.Metrics;
using Stride.Core.Series;
using Stride.Server.Auth;
using Stride.Storage;

namespace Stride.Server.Metrics;

/// <summary>The metrics per day, week or month of a window (SPEC §4.5), for charts.</summary>
internal static class SeriesApi
{
    /// <summary>The most buckets one request may ask for (a daily series of about three years).</summary>
    public const int MaxBuckets = 1_100;

    public static RouteGroupBuilder MapSeriesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/metrics/series").WithTags("Metrics").RequireScope(Scopes.Read);
        group.MapGet("/", GetSeriesAsync).WithName("GetMetricsSeries")
            .WithSummary("The metrics of each day, week or month of a window, in a time zone");
        return group;
    }

    private static async Task<Results<Ok<SeriesResponse>, ValidationProblem>> GetSeriesAsync(
        HttpContext http, IEventStore store, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var query = SeriesQuery.TryParse(http.Request.Query, time, errors);
        if (query is null)
        {
            return TypedResults.ValidationProblem(errors, detail: "The query parameters are not valid.");
        }

        return TypedResults.Ok(await ReadAsync(store, http.User.Organization(), query, ct));
    }

    /// <summary>The facts of a series' window: with its whole days summarized when no bucket cuts a UTC day (buckets in UTC).</summary>
    public static Task<WindowFacts> ReadFactsAsync(IEventStore store, long organization, SeriesQuery query, CancellationToken ct)
    {
        var window = query.Window;
        return DayFacts.CutNoDay(window.From, window.To, query.Buckets)
            ? store.ReadFactsByDayAsync(organization, window.From, window.To, window.Environment, window.Systems, ct)
            : store.ReadFactsAsync(organization, window.From, window.To, window.Environment, window.Systems, ct);
    }

    /// <summary>Reads the window's facts once and computes every bucket from them.</summary>
    public static async Task<SeriesResponse> ReadAsync(IEventStore store, long organization, SeriesQuery query, CancellationToken ct)
    {
        var window = query.Window;
        var prepared = MetricsEngine.Prepare(await ReadFactsAsync(store, organization, query, ct));
        var buckets = query.Buckets.Select(b =>
        {
            var report = prepared.Compute(b.Start, b.End, window.Benchmark);
            return new SeriesBucket(
                Timestamps.ToRfc3339(b.Start),
                Timestamps.ToRfc3339(b.End),
                report.DeploymentFrequency,
                report.LeadTimeForChanges,
                report.ChangeFailureRate,
                report.TimeToRestore,
                report.FailedDeploymentRecoveryTime,
                report.ReworkRate);
        }).ToList();
        return new SeriesResponse(query.Interval.ToString().ToLowerInvariant(), query.Zone.Id, buckets);
    }
}

/// <summary>A series request: the metrics window and filters, an interval and a time zone, and the buckets they make.</summary>
internal sealed record SeriesQuery(MetricsQuery Window, SeriesInterval Interval, TimeZoneInfo Zone, IReadOnlyList<(long Start, long End)> Buckets)
{
    /// <summary>Reads what <see cref="MetricsQuery"/> reads, plus <c>interval</c> (day, week, month; default day) and <c>tz</c> (IANA; default UTC).</summary>
    public static SeriesQuery? TryParse(IQueryCollection query, TimeProvider time, Dictionary<string, string[]> errors)
    {
        var window = MetricsQuery.TryParse(query, time, errors);
        SeriesInterval interval = SeriesInterval.Day;
        switch (query["interval"].ToString().ToLowerInvariant())
        {
            case "" or "day":
                break;
            case "week":
                interval = SeriesInterval.Week;
                break;
            case "month":
                interval = SeriesInterval.Month;
                break;
            default:
                errors["interval"] = ["must be 'day', 'week' or 'month'."];
                break;
        }

        var tz = query["tz"].ToString();
        if (!SeriesBuckets.TryFindZone(tz.Length == 0 ? null : tz, out var zone))
        {
            errors["tz"] = [$"'{tz}' is not an IANA time zone (such as Europe/Lisbon)."];
        }

        if (window is null || errors.Count > 0)
        {
            return null;
        }

        var buckets = SeriesBuckets.Split(window.From, window.To, interval, zone!);
        if (buckets.Count > SeriesApi.MaxBuckets)
        {
            errors["interval"] = [$"makes {buckets.Count} buckets of this window; at most {SeriesApi.MaxBuckets} are served: choose a longer interval or a shorter window."];
            return null;
        }

        return new SeriesQuery(window, interval, zone!, buckets);
    }
}

/// <summary>The body of <c>GET /api/v1/metrics/series</c>.</summary>
internal sealed record SeriesResponse(string Interval, string Tz, IReadOnlyList<SeriesBucket> Buckets);

/// <summary>One bucket: its bounds (RFC 3339 UTC) and its metric blocks.</summary>
internal sealed record SeriesBucket(
    string Start,
    string End,
    DeploymentFrequency DeploymentFrequency,
    LeadTimeForChanges LeadTimeForChanges,
    ChangeFailureRate ChangeFailureRate,
    TimeToRestore TimeToRestore,
    FailedDeploymentRecoveryTime FailedDeploymentRecoveryTime,
    ReworkRate ReworkRate);
