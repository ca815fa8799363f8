namespace Stride.Core.Metrics;

/// <summary>Computes the six metric blocks of SPEC §3 from <see cref="WindowFacts"/>.</summary>
/// <remarks>
/// For one window, call <see cref="Compute"/>. For many windows over the same facts (the window
/// and its <c>previous</c>, or every bucket of a series), call <see cref="Prepare"/> once and
/// <see cref="PreparedFacts.Compute"/> per window: the facts are sorted only once.
/// </remarks>
public static class MetricsEngine
{
    /// <summary>The metrics of the window <c>[from, to)</c>.</summary>
    /// <param name="facts">Facts covering at least <c>[from, to)</c>; anything outside the window is ignored.</param>
    /// <param name="from">Start of the window, Unix seconds, inclusive.</param>
    /// <param name="to">End of the window, Unix seconds, exclusive; greater than <paramref name="from"/>.</param>
    /// <param name="benchmark">Which DORA report's tiers to apply.</param>
    /// <exception cref="ArgumentOutOfRangeException">The window is empty or not inside the facts' range.</exception>
    public static MetricsReport Compute(WindowFacts facts, long from, long to, Benchmark benchmark)
        => Prepare(facts).Compute(from, to, benchmark);

    /// <summary>Sorts and indexes <paramref name="facts"/> so that many windows can be computed cheaply.</summary>
    public static PreparedFacts Prepare(WindowFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return new PreparedFacts(facts);
    }
}
