using Stride.Core.Events;

namespace Stride.Storage.Postgres;

public sealed partial class PostgresStore
{
    public Task<IReadOnlyList<SystemSummary>> ListSystemsAsync(long organization, string environment, CancellationToken ct) => throw new NotSupportedException("Not built yet.");

    public Task<IReadOnlyList<string>> ListSystemNamesAsync(long organization, CancellationToken ct) => throw new NotSupportedException("Not built yet.");

    public Task<ListPage<DeploymentRow>> ListDeploymentsAsync(long organization, ListQuery query, CancellationToken ct) => throw new NotSupportedException("Not built yet.");

    public Task<ListPage<IncidentRow>> ListIncidentsAsync(long organization, ListQuery query, CancellationToken ct) => throw new NotSupportedException("Not built yet.");

    public Task<ListPage<ChangeRow>> ListChangesAsync(long organization, ListQuery query, CancellationToken ct) => throw new NotSupportedException("Not built yet.");

    public Task<DeploymentDetail?> FindDeploymentAsync(long organization, string system, string environment, string identifier, CancellationToken ct) => throw new NotSupportedException("Not built yet.");

    public Task<IReadOnlyList<Incident>> FindIncidentsAsync(long organization, string identifier, CancellationToken ct) => throw new NotSupportedException("Not built yet.");
}
