using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Storage.Postgres;

public sealed partial class PostgresStore
{
    /// <inheritdoc />
    public Task<int> AppendAsync(long organization, IReadOnlyList<Event> events, CancellationToken ct) => throw new NotSupportedException("Not built yet.");

    /// <inheritdoc />
    public Task<WindowFacts> ReadFactsAsync(long organization, long from, long to, string environment, IReadOnlyList<string> systems, CancellationToken ct)
        => throw new NotSupportedException("Not built yet.");

    /// <inheritdoc />
    public Task<LatestDeployment?> FindLatestDeploymentAsync(long organization, string system, string environment, CancellationToken ct)
        => throw new NotSupportedException("Not built yet.");
}
