using Stride.Core.Metrics;
using Stride.Server.Metrics;
using Stride.Storage;

namespace Stride.Server.Dashboard;

/// <summary>The overview at <c>/</c>: tiles, charts and the recent deployments and incidents of the chosen view.</summary>
public sealed class IndexModel(IEventStore store, TimeProvider time) : DashboardPageModel
{
    private const int RecentRows = 15;

    internal OverviewView View { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var filters = DashboardFilters.Read(Request.Query);
        var errors = new Dictionary<string, string[]>();
        var query = filters.ToMetricsQuery(time, errors);
        var series = query is null ? null : filters.ToSeriesQuery(query, time, errors);
        var organization = Session.Organization;
        // Names only: the filter needs no deployment counts, which cost a range per system.
        var systems = store.ListSystemNamesAsync(organization, ct);
        if (query is null || series is null)
        {
            View = OverviewView.Invalid(filters, errors, await systems);
            return;
        }

        // As GET /api/v1/metrics: the window and the previous one read side by side, on threads of
        // their own, since the SQLite store reads them from memory and completes synchronously (for
        // all systems they are the page's largest work). The window's facts, read once, also give
        // the chart buckets. The lists take 15 rows each: a thread hand-over would cost more.
        var previousFrom = query.From - (query.To - query.From);
        var currentFacts = Task.Run(() => SeriesApi.ReadFactsAsync(store, organization, series, ct), ct);
        var previousFacts = Task.Run(() => store.ReadFactsByDayAsync(organization, previousFrom, query.From, query.Environment, query.Systems, ct), ct);
        var list = new ListQuery(query.From, query.To, query.Environment, query.Systems, RecentRows, null);
        var deployments = store.ListDeploymentsAsync(organization, list, ct);
        var incidents = store.ListIncidentsAsync(organization, list, ct);

        var prepared = MetricsEngine.Prepare(await currentFacts);
        var current = prepared.Compute(query.From, query.To, query.Benchmark);
        var buckets = series.Buckets.Select(b => (b.Start, b.End, prepared.Compute(b.Start, b.End, query.Benchmark))).ToArray();
        var previous = MetricsEngine.Compute(await previousFacts, previousFrom, query.From, query.Benchmark);
        var interval = series.Interval.ToString().ToLowerInvariant();

        View = new OverviewView(
            filters,
            query,
            [],
            Tiles.Keys(current, previous),
            Tiles.Others(current, previous),
            Charts.Keys(buckets, interval),
            interval,
            AllNumbers.Of(current),
            await systems,
            (await deployments).Items,
            (await incidents).Items);
    }
}

/// <summary>Everything the overview shows.</summary>
internal sealed record OverviewView(
    DashboardFilters Filters,
    MetricsQuery? Query,
    IReadOnlyList<string> Errors,
    IReadOnlyList<TileView> KeyTiles,
    IReadOnlyList<TileView> OtherTiles,
    IReadOnlyList<ChartView> Charts,
    string Interval,
    IReadOnlyList<NumberBlock> Numbers,
    IReadOnlyList<string> Systems,
    IReadOnlyList<DeploymentRow> Deployments,
    IReadOnlyList<IncidentRow> Incidents)
{
    /// <summary>Nothing was ever pushed to this organization: the page explains how to start.</summary>
    public bool IsNew => Systems.Count == 0;

    public string WindowText => Query is null
        ? ""
        : $"{DashboardFormat.Time(Query.From)} to {DashboardFormat.Time(Query.To)}";

    /// <summary>The length of the window, for "compared with the 30 d before".</summary>
    public string PreviousText => Query is null ? "" : DashboardFormat.Duration(Query.To - Query.From);

    /// <summary>The checkboxes: every known system, plus any selected one the list does not hold.</summary>
    public IReadOnlyList<(string Name, bool Selected)> SystemOptions
    {
        get
        {
            var selected = Query?.Systems ?? [];
            return [.. Systems.Union(selected, StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .Select(name => (name, selected.Contains(name, StringComparer.Ordinal)))];
        }
    }

    public static OverviewView Invalid(DashboardFilters filters, Dictionary<string, string[]> errors, IReadOnlyList<string> systems)
        => new(filters, null, [.. errors.Select(e => $"'{e.Key}' {string.Join(" ", e.Value)}")], [], [], [], "", [], systems, [], []);
}
