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

    /// <summary>The organization's index; an empty one for an organization with no events yet.</summary>
    public OrganizationIndex this[long organization] => _organizations.GetOrAdd(organization, _ => new OrganizationIndex());

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
        try
        {
            apply();
        }
        catch (Exception)
        {
            // The events are committed, so the database is right whatever went wrong here: the
            // organization's index is built again from it rather than left half-applied.
            Rebuild(organization);
        }
    }

    private void Rebuild(long organization)
    {
        try
        {
            var rebuilt = new OrganizationIndex();
            rebuilt.Load(load(organization));
            _organizations[organization] = rebuilt;
        }
        catch (Exception)
        {
            // Reading the database failed too (it is the writer's thread: a throw would stop all
            // writes). The next failed apply tries again; a restart builds every index afresh.
        }
    }
}
