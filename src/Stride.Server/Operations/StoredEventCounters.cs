using System.Collections.Concurrent;
using Prometheus;
using Stride.Core.Events;
using Stride.Storage;

namespace Stride.Server.Operations;

/// <summary>Counts the events stored, by organization and type, for <c>stride_events_stored_total</c>.</summary>
/// <remarks>
/// Ingestion only adds to plain per-organization numbers; the organization's name, which the
/// label needs and the request does not carry, is looked up at scrape time. So a stored request
/// costs a dictionary read and an atomic add per type, and never a read of the store.
/// Safe for concurrent use.
/// </remarks>
internal sealed class StoredEventCounters
{
    public const string Name = "stride_events_stored_total";

    /// <summary>The <c>type</c> label values, by index in each organization's numbers.</summary>
    private static readonly string[] Types = ["change", "deployment", "incident", "push"];

    private readonly ConcurrentDictionary<long, long[]> _byOrganization = new();
    private readonly ConcurrentDictionary<long, string> _names = new();
    private readonly Counter _stored;
    private readonly ILogger<StoredEventCounters> _logger;

    public StoredEventCounters(IMetricFactory metrics, ILogger<StoredEventCounters> logger)
    {
        _logger = logger;
        _stored = metrics.CreateCounter(Name,
            "Events stored by ingestion (every route: native, Pulse, webhooks, DevLake), by organization and type.",
            ["organization", "type"]);
    }

    /// <summary>Counts events that the store has just committed for <paramref name="organization"/>.</summary>
    public void Count(long organization, IReadOnlyList<Event> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        var numbers = _byOrganization.GetOrAdd(organization, static _ => new long[Types.Length]);
        if (events.Count == 1)
        {
            Interlocked.Increment(ref numbers[TypeIndex(events[0])]);
            return;
        }

        Span<int> counts = stackalloc int[Types.Length];
        for (var i = 0; i < events.Count; i++)
        {
            counts[TypeIndex(events[i])]++;
        }

        for (var t = 0; t < counts.Length; t++)
        {
            if (counts[t] > 0)
            {
                Interlocked.Add(ref numbers[t], counts[t]);
            }
        }
    }

    /// <summary>Brings the counter up to the numbers counted so far; called before each scrape.</summary>
    public async Task PublishAsync(IKeyStore keys, CancellationToken ct)
    {
        foreach (var (organization, numbers) in _byOrganization)
        {
            if (!_names.TryGetValue(organization, out var name))
            {
                // Organizations are never renamed, so a name is read once (all of them, in one query).
                try
                {
                    foreach (var o in await keys.ListOrganizationsAsync(ct))
                    {
                        _names[o.Id] = o.Name;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Nothing is lost: the numbers are kept, and published at a later scrape.
                    _logger.LogWarning(e, "Organization names could not be read; stored-event counts wait for a later scrape");
                    return;
                }

                if (!_names.TryGetValue(organization, out name))
                {
                    continue;
                }
            }

            for (var t = 0; t < Types.Length; t++)
            {
                _stored.WithLabels(name, Types[t]).IncTo(Interlocked.Read(ref numbers[t]));
            }
        }
    }

    private static int TypeIndex(Event e) => e switch
    {
        Change => 0,
        Deployment => 1,
        Incident => 2,
        _ => 3,
    };
}
