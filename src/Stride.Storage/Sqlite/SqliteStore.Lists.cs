using Stride.Core.Events;

namespace Stride.Storage.Sqlite;

/// <summary>The lists, the deployment page and the lookups: answered from the in-memory index, each costing its own rows.</summary>
public sealed partial class SqliteStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<SystemSummary>> ListSystemsAsync(long organization, string environment, CancellationToken ct)
        => Task.FromResult<IReadOnlyList<SystemSummary>>(_index[organization].Systems(environment));

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListSystemNamesAsync(long organization, CancellationToken ct)
        => Task.FromResult<IReadOnlyList<string>>(_index[organization].SystemNames());

    /// <inheritdoc />
    public Task<ListPage<DeploymentRow>> ListDeploymentsAsync(long organization, ListQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Task.FromResult(_index[organization].Deployments(query));
    }

    /// <inheritdoc />
    public Task<ListPage<IncidentRow>> ListIncidentsAsync(long organization, ListQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Task.FromResult(_index[organization].Incidents(query));
    }

    /// <inheritdoc />
    public Task<ListPage<ChangeRow>> ListChangesAsync(long organization, ListQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Task.FromResult(_index[organization].Changes(query));
    }

    /// <inheritdoc />
    public Task<DeploymentDetail?> FindDeploymentAsync(
        long organization, string system, string environment, string identifier, CancellationToken ct)
        => Task.FromResult(_index[organization].Deployment(system, environment, identifier));

    /// <inheritdoc />
    public Task<IReadOnlyList<Incident>> FindIncidentsAsync(long organization, string identifier, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return Task.FromResult<IReadOnlyList<Incident>>(_index[organization].IncidentsNamed(identifier));
    }
}
