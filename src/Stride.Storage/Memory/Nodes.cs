using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Storage.Memory;

/// <summary>A change known to an organization: pushed (with its time) or only listed by deployments.</summary>
/// <remarks>
/// Millions of these can be held, so the lists it keeps (the deployments listing it, its first
/// deployment per environment) are a single node while they have one item, which is the common case,
/// and a list only beyond.
/// </remarks>
internal sealed class ChangeNode(string system, string id)
{
    private object? _listedBy;
    private object? _firsts;

    public string System { get; } = system;

    public string Id { get; } = id;

    /// <summary>The earliest time pushed for it; null while it was only listed.</summary>
    public long? Timestamp { get; set; }

    /// <summary>The deployments (any result, any environment) whose list names it.</summary>
    public Nodes<DeploymentNode> ListedBy => new(_listedBy);

    public void AddListing(DeploymentNode deployment) => Nodes<DeploymentNode>.Add(ref _listedBy, deployment);

    public void RemoveListing(DeploymentNode deployment) => Nodes<DeploymentNode>.Remove(ref _listedBy, deployment);

    /// <summary>Its first successful deployment in the environment: (time, identifier) least among those listing it.</summary>
    public DeploymentNode? FirstIn(string env) => new Nodes<DeploymentNode>(_firsts).In(env);

    /// <summary>Its first successful deployment in each environment where it has one.</summary>
    public Nodes<DeploymentNode> Firsts => new(_firsts);

    public void SetFirst(string env, DeploymentNode? deployment)
    {
        if (FirstIn(env) is { } old)
        {
            Nodes<DeploymentNode>.Remove(ref _firsts, old);
        }

        if (deployment is not null)
        {
            Nodes<DeploymentNode>.Add(ref _firsts, deployment);
        }
    }
}

/// <summary>One deployment, replaced in place when re-pushed (the node stays, its fields change).</summary>
internal sealed class DeploymentNode(string system, string env, string id)
{
    private object? _incidents;

    public string System { get; } = system;

    public string Env { get; } = env;

    public string Id { get; } = id;

    public long Timestamp { get; set; }

    public DeploymentResult Result { get; set; }

    public bool Rework { get; set; }

    public string? Commit { get; set; }

    public IReadOnlyList<string> Teams { get; set; } = [];

    /// <summary>The changes it lists, distinct, in list order.</summary>
    public ChangeNode[] Changes { get; set; } = [];

    /// <summary>The incidents attributed to it (in its environment).</summary>
    public Nodes<IncidentNode> Incidents => new(_incidents);

    public bool Ok => Result == DeploymentResult.Success;

    /// <summary>Its fact as the day summaries hold it: null when they do not (it is not successful).</summary>
    public DeploymentFact? Published { get; set; }

    public void AddIncident(IncidentNode incident) => Nodes<IncidentNode>.Add(ref _incidents, incident);

    public void RemoveIncident(IncidentNode incident) => Nodes<IncidentNode>.Remove(ref _incidents, incident);
}

/// <summary>One incident, with its attributed deployment in each environment its system deploys to.</summary>
internal sealed class IncidentNode(string system, string id)
{
    private object? _attributions;

    public string System { get; } = system;

    public string Id { get; } = id;

    public long Created { get; set; }

    public long? Resolved { get; set; }

    /// <summary>Its fact in each environment's day summaries; null before the first.</summary>
    public List<(DaySummaries Days, IncidentFact Fact)>? Published { get; set; }

    /// <summary>The deployment identifier it names, if any.</summary>
    public string? Deployment { get; set; }

    public DeploymentNode? AttributedIn(string env) => new Nodes<DeploymentNode>(_attributions).In(env);

    /// <summary>Sets its attribution in <paramref name="env"/>, keeping the deployments' incident lists in step.</summary>
    public void Attribute(string env, DeploymentNode? deployment)
    {
        var old = AttributedIn(env);
        if (ReferenceEquals(old, deployment))
        {
            return;
        }

        if (old is not null)
        {
            Nodes<DeploymentNode>.Remove(ref _attributions, old);
            old.RemoveIncident(this);
        }

        if (deployment is not null)
        {
            Nodes<DeploymentNode>.Add(ref _attributions, deployment);
            deployment.AddIncident(this);
        }
    }
}

/// <summary>
/// A small set of nodes stored in one field (a slot): null when empty, the node itself when it has one, a list
/// beyond. Saves a list object per node for the sets that almost always hold zero or one item.
/// </summary>
internal readonly struct Nodes<T>(object? slot) where T : class
{
    public int Count => slot switch
    {
        null => 0,
        List<T> list => list.Count,
        _ => 1,
    };

    public Enumerator GetEnumerator() => new(slot);

    public static void Add(ref object? slot, T node)
    {
        switch (slot)
        {
            case null:
                slot = node;
                break;
            case List<T> list:
                list.Add(node);
                break;
            default:
                slot = new List<T>(2) { (T)slot, node };
                break;
        }
    }

    public static void Remove(ref object? slot, T node)
    {
        if (ReferenceEquals(slot, node))
        {
            slot = null;
        }
        else if (slot is List<T> list && list.Remove(node) && list.Count == 1)
        {
            slot = list[0];
        }
    }

    public struct Enumerator(object? slot)
    {
        // The slot's kind is found once, not at every step.
        private readonly List<T>? _list = slot as List<T>;
        private readonly T? _single = slot as T;
        private int _index = -1;

        public readonly T Current => _list is null ? _single! : _list[_index];

        public bool MoveNext() => ++_index < (_list?.Count ?? (_single is null ? 0 : 1));
    }
}

internal static class DeploymentNodes
{
    /// <summary>The deployment of the set in the environment, if any (each holds at most one per environment).</summary>
    public static DeploymentNode? In(this Nodes<DeploymentNode> deployments, string env)
    {
        foreach (var deployment in deployments)
        {
            if (deployment.Env == env)
            {
                return deployment;
            }
        }

        return null;
    }
}
