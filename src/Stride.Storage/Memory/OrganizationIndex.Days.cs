using Stride.Core.Metrics;

namespace Stride.Storage.Memory;

/// <summary>
/// The upkeep of the day summaries: every fact a window of all systems reads by day is kept in its
/// environment's <see cref="DaySummaries"/> as the events change it.
/// </summary>
/// <remarks>
/// Deployments and incidents remember the fact they were summarized with (<c>Published</c>), so that
/// publishing one again is idempotent, and callers publish whatever an event may have touched. Lead
/// times, one per change and environment and millions of them, are not remembered: a deployment's
/// upkeep notes those of its changes before it changes anything and sets them right after.
/// </remarks>
internal sealed partial class OrganizationIndex
{
    // Per environment, the facts of all systems by day.
    private readonly Dictionary<string, DaySummaries> _days = new(StringComparer.Ordinal);

    /// <summary>The environment's day summaries; made, with every resolved incident in it, the first time.</summary>
    private DaySummaries Days(string env)
    {
        if (_days.TryGetValue(env, out var days))
        {
            return days;
        }

        days = new DaySummaries();
        _days.Add(env, days);

        // Incidents belong to every environment's windows, attributed or not.
        foreach (var system in _systems.Values)
        {
            foreach (var incident in system.Incidents.Values)
            {
                Publish(incident);
            }
        }

        return days;
    }

    /// <summary>Notes the current lead times in <paramref name="env"/> of <paramref name="changes"/> not in <paramref name="noted"/>.</summary>
    private static void NoteLeadTimes(ChangeNode[] changes, ChangeNode[] noted, string env, List<(ChangeNode, LeadTimeFact?)> leadTimes)
    {
        var seen = noted.Length > 16 ? new HashSet<ChangeNode>(noted) : null;
        foreach (var change in changes)
        {
            if (!(seen?.Contains(change) ?? Array.IndexOf(noted, change) >= 0))
            {
                leadTimes.Add((change, LeadTimeIn(change, env)));
            }
        }
    }

    /// <summary>Replaces each noted lead time that changed with its new value.</summary>
    private static void PublishLeadTimes(List<(ChangeNode Change, LeadTimeFact? Before)> leadTimes, string env, DaySummaries days)
    {
        foreach (var (change, before) in leadTimes)
        {
            var after = LeadTimeIn(change, env);
            if (after != before)
            {
                if (before is { } old)
                {
                    days.Remove(old);
                }

                if (after is { } now)
                {
                    days.Add(now);
                }
            }
        }
    }

    /// <summary>Moves a change's lead time in every environment where it was deployed to its new time.</summary>
    private void MoveLeadTimes(ChangeNode change, long timestamp)
    {
        foreach (var first in change.Firsts)
        {
            var days = Days(first.Env);
            days.Remove(new LeadTimeFact(first.Timestamp, change.Timestamp));
            days.Add(new LeadTimeFact(first.Timestamp, timestamp));
        }
    }

    private static LeadTimeFact? LeadTimeIn(ChangeNode change, string env)
        => change.FirstIn(env) is { } first ? new LeadTimeFact(first.Timestamp, change.Timestamp) : null;

    /// <summary>Sets the deployment's fact right in its environment's summaries (a successful deployment has one).</summary>
    private static void Publish(DeploymentNode deployment, DaySummaries days)
    {
        DeploymentFact? fact = deployment.Ok ? new DeploymentFact(deployment.Timestamp, deployment.Rework, deployment.Incidents.Count > 0) : null;
        if (fact == deployment.Published)
        {
            return;
        }

        if (deployment.Published is { } old)
        {
            days.Remove(old);
        }

        if (fact is { } now)
        {
            days.Add(now);
        }

        deployment.Published = fact;
    }

    /// <summary>Sets the incident's fact right in every environment's summaries.</summary>
    private void Publish(IncidentNode incident)
    {
        foreach (var (env, days) in _days)
        {
            IncidentFact? fact = Fact(incident, env);
            var published = incident.Published;
            var index = published?.FindIndex(p => ReferenceEquals(p.Days, days)) ?? -1;
            IncidentFact? before = index >= 0 ? published![index].Fact : null;
            if (fact == before)
            {
                continue;
            }

            if (before is { } old)
            {
                days.Remove(old);
                published!.RemoveAt(index);
            }

            if (fact is { } now)
            {
                days.Add(now);
                (incident.Published ??= []).Add((days, now));
            }
        }
    }
}
