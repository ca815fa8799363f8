namespace Stride.Core.Metrics;

/// <summary>The performance tier tables of SPEC §3.</summary>
internal static class Tiers
{
    private const double Hour = 3_600;
    private const double Day = 86_400;

    /// <summary>
    /// Deployment frequency from M (median deployment days per week block) and N (per month block).
    /// No tier without a whole week block, nor when the rule needs N and there is no whole month block.
    /// </summary>
    public static Tier? DeploymentFrequency(double? perWeek, double? perMonth, int deployments, Benchmark benchmark)
    {
        if (perWeek is not { } m)
        {
            return null;
        }

        if (m >= 5)
        {
            return Tier.Elite;
        }

        if (benchmark == Benchmark.Dora2023)
        {
            if (m >= 1)
            {
                return Tier.High;
            }

            return perMonth switch
            {
                null => null,
                >= 1 => Tier.Medium,
                _ => Tier.Low,
            };
        }

        return perMonth switch
        {
            null => null,
            >= 1 => Tier.High,
            _ => deployments >= 1 ? Tier.Medium : Tier.Low,
        };
    }

    /// <summary>Lead time for changes from its median in seconds; null without a median.</summary>
    public static Tier? LeadTime(double? medianSeconds, Benchmark benchmark)
    {
        if (medianSeconds is not { } median)
        {
            return null;
        }

        return benchmark == Benchmark.Dora2023
            ? median switch
            {
                < Day => Tier.Elite,
                < 7 * Day => Tier.High,
                < 30 * Day => Tier.Medium,
                _ => Tier.Low,
            }
            : median switch
            {
                < Hour => Tier.Elite,
                < 7 * Day => Tier.High,
                < 180 * Day => Tier.Medium,
                _ => Tier.Low,
            };
    }

    /// <summary>Change failure rate; compared in integers so that 1 of 20 is exactly 5 %.</summary>
    public static Tier ChangeFailureRate(int failed, int deployments, Benchmark benchmark)
    {
        var (elite, high, medium) = benchmark == Benchmark.Dora2023 ? (5, 10, 15) : (15, 20, 30);
        var percent = 100L * failed;
        return percent <= elite * (long)deployments ? Tier.Elite
            : percent <= high * (long)deployments ? Tier.High
            : percent <= medium * (long)deployments ? Tier.Medium
            : Tier.Low;
    }

    /// <summary>Time to restore and failed deployment recovery time from their median in seconds (same for both benchmarks).</summary>
    public static Tier? Restore(double? medianSeconds) => medianSeconds switch
    {
        null => null,
        < Hour => Tier.Elite,
        < Day => Tier.High,
        < 7 * Day => Tier.Medium,
        _ => Tier.Low,
    };
}
