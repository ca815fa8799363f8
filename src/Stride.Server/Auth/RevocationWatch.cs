using Stride.Storage;

namespace Stride.Server.Auth;

/// <summary>
/// Forgets keys revoked on other nodes of a shared database the moment they are revoked, rather than
/// when <see cref="KeyCache.Lifetime"/> runs out.
/// </summary>
/// <remarks>
/// A failure here must not stop the server (a background service's exception would): it is logged, and
/// <see cref="KeyCache.Lifetime"/> then bounds how long another node's revocation takes to count.
/// </remarks>
internal sealed class RevocationWatch(IKeyStore keys, KeyCache cache, ILogger<RevocationWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await keys.WatchRevocationsAsync(Revoked, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogError(e, "Watching for revoked keys failed; other nodes' revocations now count within {Lifetime}.", KeyCache.Lifetime);
        }
    }

    private void Revoked(long? id)
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
    }
}
