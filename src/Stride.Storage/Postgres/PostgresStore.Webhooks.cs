using Dapper;
using Stride.Core.Events;

namespace Stride.Storage.Postgres;

/// <summary>Webhook secrets and delivery ids (<see cref="IWebhookStore"/>).</summary>
/// <remarks>
/// A delivery's id is recorded in the same transaction as its events: either both are committed or
/// neither is. Several nodes may receive the same delivery at once (a provider's retry, or two
/// replicas behind a load balancer); the delivery's key decides which one stores it.
/// </remarks>
public sealed partial class PostgresStore
{
    /// <inheritdoc />
    public async Task<string?> FindWebhookSecretAsync(long organization, string provider, CancellationToken ct)
    {
        const string Sql = "SELECT secret FROM webhook_secrets WHERE org = @Org AND provider = @Provider";
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<string?>(
            new CommandDefinition(Sql, new { Org = organization, Provider = provider }, cancellationToken: ct)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task SetWebhookSecretAsync(long organization, string provider, string secret, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        const string Sql = """
            INSERT INTO webhook_secrets (org, provider, secret, updated_at) VALUES (@Org, @Provider, @Secret, @Now)
            ON CONFLICT (org, provider) DO UPDATE SET secret = excluded.secret, updated_at = excluded.updated_at
            """;
        var parameters = new { Org = organization, Provider = provider, Secret = secret, Now = _time.GetUtcNow().ToUnixTimeSeconds() };
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(Sql, parameters, cancellationToken: ct)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> DeleteWebhookSecretAsync(long organization, string provider, CancellationToken ct)
    {
        const string Sql = "DELETE FROM webhook_secrets WHERE org = @Org AND provider = @Provider";
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await connection.ExecuteAsync(
            new CommandDefinition(Sql, new { Org = organization, Provider = provider }, cancellationToken: ct)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<WebhookDeliveryResult> AppendWebhookDeliveryAsync(
        long organization, string provider, string? delivery, IReadOnlyList<Event> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        // The delivery is claimed before its events are stored, not looked up: a second transaction
        // inserting the same key waits on the first one's row, then (once it commits) does nothing and
        // learns it lost; should the first roll back instead, the second one's insert goes ahead.
        const string Claim = """
            INSERT INTO webhook_deliveries (org, provider, delivery, stored, received_at)
            VALUES (@Org, @Provider, @Delivery, 0, @Now)
            ON CONFLICT (org, provider, delivery) DO NOTHING
            """;
        const string Record = "UPDATE webhook_deliveries SET stored = @Stored WHERE org = @Org AND provider = @Provider AND delivery = @Delivery";
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        return InTransactionAsync(
            async (connection, transaction) =>
            {
                var key = new { Org = organization, Provider = provider, Delivery = delivery, Now = now };
                if (delivery is not null
                    && await connection.ExecuteAsync(new CommandDefinition(Claim, key, transaction, cancellationToken: ct)).ConfigureAwait(false) == 0)
                {
                    return new WebhookDeliveryResult(true, 0);
                }

                var stored = events.Count == 0
                    ? 0
                    : await PostgresEventWriter.AppendAsync(connection, transaction, organization, events, ct).ConfigureAwait(false);
                // The claim recorded 0 stored events; only a delivery that stored some needs its count set.
                if (delivery is not null && stored != 0)
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        Record, new { Org = organization, Provider = provider, Delivery = delivery, Stored = stored }, transaction, cancellationToken: ct))
                        .ConfigureAwait(false);
                }

                return new WebhookDeliveryResult(false, stored);
            },
            ct);
    }
}
