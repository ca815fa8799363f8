using Stride.Core.Events;

namespace Stride.Storage.Postgres;

/// <summary>The lists, the deployment page and the lookups: answered from this node's index of the organization, each costing its own rows.</summary>
public sealed partial class PostgresStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<SystemSummary>> ListSystemsAsync(long organization, string environment, CancellationToken ct)
        => (await _indexes.ReadAsync(organization, ct).ConfigureAwait(false)).Systems(environment);

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListSystemNamesAsync(long organization, CancellationToken ct)
        => (await _indexes.ReadAsync(organization, ct).ConfigureAwait(false)).SystemNames();

    /// <inheritdoc />
    public async Task<ListPage<DeploymentRow>> ListDeploymentsAsync(long organization, ListQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        return (await _indexes.ReadAsync(organization, ct).ConfigureAwait(false)).Deployments(query);
    }

    /// <inheritdoc />
    public async Task<ListPage<IncidentRow>> ListIncidentsAsync(long organization, ListQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        return (await _indexes.ReadAsync(organization, ct).ConfigureAwait(false)).Incidents(query);
    }

    /// <inheritdoc />
    public async Task<ListPage<ChangeRow>> ListChangesAsync(long organization, ListQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        return (await _indexes.ReadAsync(organization, ct).ConfigureAwait(false)).Changes(query);
    }

    /// <inheritdoc />
    public async Task<DeploymentDetail?> FindDeploymentAsync(
        long organization, string system, string environment, string identifier, CancellationToken ct)
        => (await _indexes.ReadAsync(organization, ct).ConfigureAwait(false)).Deployment(system, environment, identifier);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Incident>> FindIncidentsAsync(long organization, string identifier, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return (await _indexes.ReadAsync(organization, ct).ConfigureAwait(false)).IncidentsNamed(identifier);
    }
}
