namespace Stride.Storage.Sqlite;

public sealed partial class SqliteStore
{
    public Task<IReadOnlyList<SystemSummary>> ListSystemsAsync(long organization, string environment, CancellationToken ct)
        => throw new NotImplementedException("Lists are being written.");

    public Task<ListPage<DeploymentRow>> ListDeploymentsAsync(long organization, ListQuery query, CancellationToken ct)
        => throw new NotImplementedException("Lists are being written.");

    public Task<ListPage<IncidentRow>> ListIncidentsAsync(long organization, ListQuery query, CancellationToken ct)
        => throw new NotImplementedException("Lists are being written.");

    public Task<ListPage<ChangeRow>> ListChangesAsync(long organization, ListQuery query, CancellationToken ct)
        => throw new NotImplementedException("Lists are being written.");

    public Task<DeploymentDetail?> FindDeploymentAsync(long organization, string system, string environment, string identifier, CancellationToken ct)
        => throw new NotImplementedException("Lists are being written.");
}
