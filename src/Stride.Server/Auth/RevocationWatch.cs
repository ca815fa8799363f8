using Stride.Storage;

namespace Stride.Server.Auth;

/// <summary>
/// Forgets keys revoked on other nodes of a shared database the moment they are revoked, rather than
/// when <see cref="KeyCache.Lifetime"/> runs out.
/// </summary>
internal sealed class RevocationWatch(IKeyStore keys, KeyCache cache, ILogger<RevocationWatch> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => keys.WatchRevocationsAsync(
            id =>
            {
                if (id is { } keyId)
                {
                    cache.Evict(keyId);
                }
                else
                {
                    logger.LogDebug("Revocations may have been missed: every cached key is read again.");
                    cache.Clear();
                }
            },
            stoppingToken);
}
