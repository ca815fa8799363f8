using Stride.Core.Events;

namespace Stride.Storage.Tests;

/// <summary>
/// Seeded random event streams full of what makes derived facts hard: few keys (so re-pushes are
/// frequent), result flips, moved timestamps, equal timestamps, changes listed by several
/// deployments or never pushed, incidents naming missing or failed deployments, and everything
/// arriving in any order.
/// </summary>
internal static class RandomEvents
{
    public const long Start = 10_000;

    /// <summary>The grid of the stream's times, in seconds: the whole stream spans 200 steps.</summary>
    public const long Step = 250;

    public const long End = Start + (200 * Step);

    /// <summary>A step for streams spread over about three weeks, so that windows hold whole days.</summary>
    public const long DayScaleStep = 9_000;

    public static readonly string[] Systems = ["a", "b", "c"];

    public static readonly string[] Environments = [EnvironmentName.Production, "staging"];

    public static readonly string[][] SystemFilters = [[], ["a"], ["a", "c"], ["zzz"]];

    public static List<Event> Stream(Random random, int count, long step = Step)
    {
        var events = new List<Event>(count);
        for (var i = 0; i < count; i++)
        {
            var system = Systems[random.Next(Systems.Length)];
            var roll = random.NextDouble();
            if (roll < 0.35)
            {
                events.Add(new Change(system, $"c{random.Next(40)}", Time(random, step)));
            }
            else if (roll < 0.75)
            {
                var changes = Enumerable.Range(0, random.Next(0, 5)).Select(_ => $"c{random.Next(40)}").ToArray();
                var result = random.NextDouble() switch
                {
                    < 0.7 => DeploymentResult.Success,
                    < 0.9 => DeploymentResult.Failure,
                    _ => DeploymentResult.Aborted,
                };
                events.Add(new Deployment(
                    system,
                    $"d{random.Next(15)}",
                    Time(random, step),
                    random.NextDouble() < 0.75 ? Environments[0] : Environments[1],
                    result,
                    changes,
                    [],
                    null,
                    random.NextDouble() < 0.2));
            }
            else
            {
                var created = Time(random, step);
                long? resolved = random.NextDouble() < 0.4 ? null : created + random.Next(-2 * (int)step, 80 * (int)step);
                var deployment = random.NextDouble() < 0.6 ? null : $"d{random.Next(18)}";
                events.Add(new Incident(system, $"i{random.Next(12)}", created, resolved, deployment));
            }
        }

        return events;
    }

    /// <summary>Windows over the stream's times: the whole range first, then random ones.</summary>
    public static IEnumerable<(long From, long To)> Windows(Random random, long step = Step)
    {
        yield return (0, (Start + (200 * step)) * 2);
        for (var i = 0; i < 4; i++)
        {
            var from = Start + (random.Next(0, 200) * step);
            var to = from + step + (random.Next(0, 120) * step);
            yield return (from, to);
        }
    }

    // Times on a coarse grid, so that equal timestamps (and their tie-breaks) are common.
    private static long Time(Random random, long step) => Start + (random.Next(0, 200) * step);
}
