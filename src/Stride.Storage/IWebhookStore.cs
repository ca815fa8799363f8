using Stride.Core.Events;

namespace Stride.Storage;

/// <summary>Provider webhooks' signing secrets and the delivery ids already stored (SPEC §4.4).</summary>
/// <remarks>
/// Every call is scoped to one organization. Providers are lower-case names (<c>github</c>,
/// <c>gitlab</c>, <c>pagerduty</c>). Secrets are stored recoverable, not hashed, because signatures
/// must be computed from them.
/// </remarks>
public interface IWebhookStore
{
    /// <summary>The organization's secret for the provider, or null when none is set.</summary>
    Task<string?> FindWebhookSecretAsync(long organization, string provider, CancellationToken ct);

    /// <summary>Sets (or replaces) the organization's secret for the provider.</summary>
    Task SetWebhookSecretAsync(long organization, string provider, string secret, CancellationToken ct);

    /// <summary>Clears the organization's secret for the provider.</summary>
    /// <returns>1 when a secret was removed, 0 when none was set.</returns>
    Task<int> DeleteWebhookSecretAsync(long organization, string provider, CancellationToken ct);

    /// <summary>Stores a delivery's events and records its id, in one transaction, unless the id was already stored.</summary>
    /// <param name="organization">The tenant.</param>
    /// <param name="provider">The provider's name.</param>
    /// <param name="delivery">The provider's delivery id; null stores the events without recording anything.</param>
    /// <param name="events">Validated and normalized events, as for <see cref="IEventStore.AppendAsync"/>.</param>
    /// <param name="ct">Cancels the write before it is committed.</param>
    /// <returns>Whether the delivery had already been stored (and then nothing was written), and how many events were stored.</returns>
    Task<WebhookDeliveryResult> AppendWebhookDeliveryAsync(
        long organization, string provider, string? delivery, IReadOnlyList<Event> events, CancellationToken ct);
}

/// <summary>What <see cref="IWebhookStore.AppendWebhookDeliveryAsync"/> did.</summary>
/// <param name="Duplicate">True when the delivery id was already recorded: nothing was stored this time.</param>
/// <param name="Stored">Events stored by this call (0 for a duplicate).</param>
public sealed record WebhookDeliveryResult(bool Duplicate, int Stored);
