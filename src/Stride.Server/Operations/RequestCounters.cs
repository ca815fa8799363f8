using System.Collections.Concurrent;
using Prometheus;
using Stride.Server.Auth;
using Stride.Server.Connections;

namespace Stride.Server.Operations;

/// <summary>
/// Counts every HTTP request by method, route and status code, and the ingestion requests refused
/// (4xx) by reason.
/// </summary>
/// <remarks>
/// The route label is the endpoint's route pattern, never the path, so that ids in URLs cannot
/// grow the number of series; requests that match no route share one label. Methods other than
/// the usual seven share <c>OTHER</c>, for the same reason.
/// Every label set's counter child is looked up once and kept, per endpoint: a request costs two
/// dictionary reads and an atomic add, and allocates nothing. Safe for concurrent use.
/// </remarks>
internal sealed class RequestCounters
{
    public const string RequestsName = "stride_http_requests_total";
    public const string RejectedName = "stride_ingestion_rejected_requests_total";
    public const string Unmatched = "unmatched";

    private static readonly string[] MethodNames = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "OTHER"];

    private readonly Counter _requests;
    private readonly Counter _rejected;
    private readonly ConcurrentDictionary<Endpoint, RouteCounters> _routes = new(ReferenceEqualityComparer.Instance);
    private readonly RouteCounters _unmatched;

    public RequestCounters(IMetricFactory metrics)
    {
        _requests = metrics.CreateCounter(RequestsName,
            "HTTP requests answered, by method, route pattern and status code.", ["method", "route", "code"]);
        _rejected = metrics.CreateCounter(RejectedName,
            "Ingestion requests refused with a 4xx status (nothing stored), by reason.", ["reason"]);
        _unmatched = new RouteCounters(this, Unmatched, ingestion: false);
    }

    /// <summary>Counts one answered request.</summary>
    /// <param name="endpoint">The endpoint routing chose, read before the request ran (an error handler may clear it).</param>
    public void Count(Endpoint? endpoint, string method, int status)
    {
        var route = endpoint is null ? _unmatched : _routes.GetOrAdd(endpoint, static (e, self) => self.Describe(e), this);
        route.Count(MethodIndex(method), status);
    }

    /// <summary>Counts requests; place first, so that the status is the one the client got, errors included.</summary>
    public RequestDelegate Middleware(RequestDelegate next) => async context =>
    {
        var endpoint = context.GetEndpoint();
        try
        {
            await next(context);
        }
        catch
        {
            // Reaches here only when the error handler could not answer (the response had started).
            Count(endpoint, context.Request.Method, StatusCodes.Status500InternalServerError);
            throw;
        }

        Count(endpoint, context.Request.Method, context.Response.StatusCode);
    };

    private RouteCounters Describe(Endpoint endpoint)
    {
        var route = endpoint is RouteEndpoint { RoutePattern.RawText: { } raw } ? (raw.StartsWith('/') ? raw : "/" + raw) : Unmatched;
        var scope = endpoint.Metadata.GetMetadata<ScopeChecks.RequiredScope>();
        var ingestion = scope is not null && scope.AnyOf.Any(s => s is Scopes.Ingest or ConnectionsApi.Scope);
        return new RouteCounters(this, route, ingestion);
    }

    private static int MethodIndex(string method)
    {
        // Kestrel hands out interned strings for known methods, so these are mostly reference checks.
        if (HttpMethods.IsGet(method))
        {
            return 0;
        }

        if (HttpMethods.IsPost(method))
        {
            return 1;
        }

        return HttpMethods.IsPut(method) ? 2
            : HttpMethods.IsDelete(method) ? 3
            : HttpMethods.IsPatch(method) ? 4
            : HttpMethods.IsHead(method) ? 5
            : HttpMethods.IsOptions(method) ? 6
            : 7;
    }

    /// <summary>Why an ingestion request was refused, from its 4xx status.</summary>
    internal static string Reason(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "invalid",
        StatusCodes.Status401Unauthorized => "unauthenticated",
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status413PayloadTooLarge => "too_large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        StatusCodes.Status429TooManyRequests => "too_many_requests",
        _ => "other",
    };

    /// <summary>The counter children of one endpoint, by method and status.</summary>
    private sealed class RouteCounters(RequestCounters owner, string route, bool ingestion)
    {
        private readonly ConcurrentDictionary<int, Children> _children = new();

        public void Count(int method, int status)
        {
            // Status codes are three digits (Kestrel refuses others), so the key is unique.
            var key = method * 1000 + status;
            if (!_children.TryGetValue(key, out var children))
            {
                children = _children.GetOrAdd(key, Create(method, status));
            }

            // Exemplar.None skips asking the (empty) exemplar provider on every request.
            children.Requests.Inc(1, Exemplar.None);
            children.Rejected?.Inc(1, Exemplar.None);
        }

        private Children Create(int method, int status)
        {
            var requests = owner._requests.WithLabels(MethodNames[method], route, status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var rejected = ingestion && status is >= 400 and < 500 ? owner._rejected.WithLabels(Reason(status)) : null;
            return new Children(requests, rejected);
        }

        private sealed record Children(Counter.Child Requests, Counter.Child? Rejected);
    }
}
