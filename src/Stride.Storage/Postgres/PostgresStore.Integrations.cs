using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Storage.Postgres;

public sealed partial class PostgresStore
{
    public Task<ConnectionRecord> CreateConnectionAsync(long organization, string name, NewApiKey key, CancellationToken ct) => throw new NotSupportedException("Not built yet.");

    public Task<ConnectionRecord?> FindConnectionAsync(long organization, long id, CancellationToken ct) => throw new NotSupportedException("Not built yet.");

    public Task<IReadOnlyList<ConnectionRecord>> ListConnectionsAsync(long organization, CancellationToken ct) => throw new NotSupportedException("Not built yet.");

    public Task<string?> FindWebhookSecretAsync(long organization, string provider, CancellationToken ct) => throw new NotSupportedException("Not built yet.");

    public Task SetWebhookSecretAsync(long organization, string provider, string secret, CancellationToken ct) => throw new NotSupportedException("Not built yet.");

    public Task<int> DeleteWebhookSecretAsync(long organization, string provider, CancellationToken ct) => throw new NotSupportedException("Not built yet.");

    public Task<WebhookDeliveryResult> AppendWebhookDeliveryAsync(long organization, string provider, string? delivery, IReadOnlyList<Event> events, CancellationToken ct) => throw new NotSupportedException("Not built yet.");

    public Task<int> UpsertIssuesAsync(long organization, IReadOnlyList<IssueRecord> issues, IReadOnlyList<Event> events, CancellationToken ct) => throw new NotSupportedException("Not built yet.");

    public Task<int> ResolveIssueAsync(long organization, string issueKey, long resolvedAt, IReadOnlyList<Event> events, CancellationToken ct) => throw new NotSupportedException("Not built yet.");

    public Task<IReadOnlyList<IssueFact>> ReadIssueFactsAsync(long organization, long from, long to, IReadOnlyList<string> systems, CancellationToken ct) => throw new NotSupportedException("Not built yet.");
}
