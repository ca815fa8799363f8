using System.Collections.Concurrent;
using Stride.Core.Events;

namespace Stride.Storage.Memory;

/// <summary>The <see cref="OrganizationIndex"/> of every organization of a store, built from its saved events.</summary>
/// <param name="load">
/// The saved events of one organization, read from the database: its changes first, then its
/// deployments (with the changes they were saved with), then its incidents.
/// </param>
internal sealed class EventIndex(Func<long, IEnumerable<Event>> load)
{
    private readonly ConcurrentDictionary<long, OrganizationIndex> _organizations = new();

    // Organizations whose index failed to apply a committed write and could not be built again then:
    // their index is built before it is read or written again, never read half-applied. The lock of
    // each makes one rebuild at a time, and orders it with the writer's next apply.
    private readonly ConcurrentDictionary<long, Lock> _broken = new();

    /// <summary>The organization's index; an empty one for an organization with no events yet.</summary>
    /// <exception cref="InvalidOperationException">Its index needs building again and the database could not be read.</exception>
    public OrganizationIndex this[long organization] => _broken.IsEmpty ? Get(organization) : Repaired(organization);

    private OrganizationIndex Get(long organization) => _organizations.GetOrAdd(organization, _ => new OrganizationIndex());

    private OrganizationIndex Repaired(long organization)
    {
        if (_broken.TryGetValue(organization, out var gate))
        {
            lock (gate)
            {
                if (_broken.ContainsKey(organization))
                {
                    try
                    {
                        Rebuild(organization);
                    }
                    catch (Exception exception)
                    {
                        throw new InvalidOperationException(
                            "The organization's events could not be read back from the database after its index failed to take a write.", exception);
                    }
                }
            }
        }

        return Get(organization);
    }

    /// <summary>Builds the index of each organization from the database.</summary>
    public void Load(IEnumerable<long> organizations)
    {
        foreach (var organization in organizations)
        {
            this[organization].Load(load(organization));
        }
    }

    public void Apply(long organization, IReadOnlyList<Change> changes) => Applying(organization, () => this[organization].Apply(changes));

    /// <summary>Applies a committed write's saved events, organization by organization, in order.</summary>
    public void Apply(List<(long Organization, Event Event)> saved)
    {
        var start = 0;
        while (start < saved.Count)
        {
            var organization = saved[start].Organization;
            var run = new List<Event>();
            for (; start < saved.Count && saved[start].Organization == organization; start++)
            {
                run.Add(saved[start].Event);
            }

            Applying(organization, () => this[organization].Apply(run));
        }
    }

    private void Applying(long organization, Action apply)
    {
        if (_broken.TryGetValue(organization, out var gate))
        {
            lock (gate)
            {
                // The events are committed: built again from the database, the index holds them.
                if (_broken.ContainsKey(organization))
                {
                    TryRebuild(organization);
                    return;
                }
            }
        }

        try
        {
            apply();
        }
        catch (Exception)
        {
            // The events are committed, so the database is right whatever went wrong here: the
            // organization's index is built again from it rather than left half-applied.
            TryRebuild(organization);
        }
    }

    /// <summary>Builds the organization's index again; if the database cannot be read, marks it to be built before its next use.</summary>
    /// <remarks>
    /// This is the writer's thread, and a throw would stop all writes. A read that comes first builds it
    /// (or fails, rather than answer from a half-applied index). Applying a write again to an index
    /// built after that write committed changes nothing: every event is an upsert.
    /// </remarks>
    private void TryRebuild(long organization)
    {
        try
        {
            Rebuild(organization);
        }
        catch (Exception)
        {
            _broken.TryAdd(organization, new Lock());
        }
    }

    /// <summary>Builds the organization's index from the database, in place of the one it had.</summary>
    private void Rebuild(long organization)
    {
        var rebuilt = new OrganizationIndex();
        rebuilt.Load(load(organization));
        _organizations[organization] = rebuilt;
        _broken.TryRemove(organization, out _);
    }
}
