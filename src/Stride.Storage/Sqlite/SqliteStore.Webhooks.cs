using Dapper;
using Stride.Core.Events;

namespace Stride.Storage.Sqlite;

/// <summary>Webhook secrets and delivery ids (<see cref="IWebhookStore"/>).</summary>
/// <remarks>
/// Writes go through the single writer, so a delivery's id is recorded in the same savepoint as its
/// events: either both are committed or neither is.
/// </remarks>
public sealed partial class SqliteStore
{
    /// <inheritdoc />
    public async Task<string?> FindWebhookSecretAsync(long organization, string provider, CancellationToken ct)
    {
        const string Sql = "SELECT secret FROM webhook_secrets WHERE org = @Org AND provider = @Provider";
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<string?>(
            new CommandDefinition(Sql, new { Org = organization, Provider = provider }, cancellationToken: ct)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task SetWebhookSecretAsync(long organization, string provider, string secret, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        const string Sql = """
            INSERT INTO webhook_secrets (org, provider, secret, updated_at) VALUES (@Org, @Provider, @Secret, @Now)
            ON CONFLICT (org, provider) DO UPDATE SET secret = excluded.secret, updated_at = excluded.updated_at
            """;
        var parameters = new { Org = organization, Provider = provider, Secret = secret, Now = _time.GetUtcNow().ToUnixTimeSeconds() };
        return _writer.WriteAsync((session, _) => session.Connection.Execute(Sql, parameters), weight: 1, ct);
    }

    /// <inheritdoc />
    public Task<int> DeleteWebhookSecretAsync(long organization, string provider, CancellationToken ct)
    {
        const string Sql = "DELETE FROM webhook_secrets WHERE org = @Org AND provider = @Provider";
        var parameters = new { Org = organization, Provider = provider };
        return _writer.WriteAsync((session, _) => session.Connection.Execute(Sql, parameters), weight: 1, ct);
    }

    /// <inheritdoc />
    public Task<WebhookDeliveryResult> AppendWebhookDeliveryAsync(
        long organization, string provider, string? delivery, IReadOnlyList<Event> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        const string Seen = "SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE org = @Org AND provider = @Provider AND delivery = @Delivery)";
        const string Record = """
            INSERT INTO webhook_deliveries (org, provider, delivery, stored, received_at)
            VALUES (@Org, @Provider, @Delivery, @Stored, @Now)
            """;
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        return _writer.WriteAsync(
            (session, token) =>
            {
                var key = new { Org = organization, Provider = provider, Delivery = delivery };
                if (delivery is not null && session.Connection.ExecuteScalar<bool>(Seen, key))
                {
                    return new WebhookDeliveryResult(true, 0);
                }

                var stored = events.Count == 0 ? 0 : session.Events.Append(organization, events, token);
                if (delivery is not null)
                {
                    session.Connection.Execute(Record, new { Org = organization, Provider = provider, Delivery = delivery, Stored = stored, Now = now });
                }

                return new WebhookDeliveryResult(false, stored);
            },
            Math.Max(1, events.Count),
            ct);
    }
}
