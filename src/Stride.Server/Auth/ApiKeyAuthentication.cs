using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Stride.Storage;

namespace Stride.Server.Auth;

/// <summary>
/// Authenticates requests by API key, given as <c>Authorization: Bearer</c>, <c>X-Api-Key</c> or
/// the Pulse-style <c>api_key</c> query parameter.
/// </summary>
/// <remarks>
/// A plain <see cref="IAuthenticationHandler"/> rather than an <c>AuthenticationHandler&lt;T&gt;</c>:
/// that base class creates a logger for every request, under a lock that 32 concurrent ingestion
/// connections spent half their CPU waiting on.
/// </remarks>
internal sealed class ApiKeyAuthenticationHandler(IKeyStore keys, KeyCache cache, IProblemDetailsService problems)
    : IAuthenticationHandler
{
    public const string SchemeName = "ApiKey";
    public const string OrganizationClaim = "stride:organization";
    public const string ScopeClaim = "stride:scope";
    public const string KeyIdClaim = "stride:key";

    private HttpContext _context = null!;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    public async Task<AuthenticateResult> AuthenticateAsync()
    {
        var key = FindKey(_context.Request);
        if (key is null)
        {
            return AuthenticateResult.NoResult();
        }

        // The ticket is built once per cached key and shared by its requests: nothing reads a
        // principal mutably, and rebuilding the claims was a measurable part of a small request.
        var ticket = await cache.FindTicketAsync(key, keys, _context.RequestAborted);
        return ticket is null ? AuthenticateResult.Fail("The API key is unknown or revoked.") : AuthenticateResult.Success(ticket);
    }

    /// <summary>The principal of a key: its organization, id and scopes as claims.</summary>
    public static AuthenticationTicket TicketFor(ApiKeyRecord record)
    {
        var claims = new List<Claim>(record.Scopes.Count + 2)
        {
            new(OrganizationClaim, record.Organization.ToString(CultureInfo.InvariantCulture)),
            new(KeyIdClaim, record.Id.ToString(CultureInfo.InvariantCulture)),
        };
        claims.AddRange(record.Scopes.Select(s => new Claim(ScopeClaim, s)));
        return new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName);
    }

    public Task ChallengeAsync(AuthenticationProperties? properties)
    {
        _context.Response.Headers.WWWAuthenticate = "Bearer";
        return WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized",
            FindKey(_context.Request) is null
                ? "An API key is required: send it as 'Authorization: Bearer <key>', 'X-Api-Key: <key>' or the 'api_key' query parameter."
                : "The API key is unknown or revoked.");
    }

    public Task ForbidAsync(AuthenticationProperties? properties)
        => WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", "The API key does not have the scope this route needs.");

    private async Task WriteProblemAsync(int status, string title, string detail)
    {
        _context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = _context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    private static string? FindKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return NullIfBlank(authorization["Bearer ".Length..]);
        }

        return NullIfBlank(request.Headers["X-Api-Key"].ToString()) ?? NullIfBlank(request.Query["api_key"].ToString());
    }

    private static string? NullIfBlank(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>
/// Remembers looked-up keys briefly, so that a stream of small ingestion requests does not
/// read the key table each time, and neither does every dashboard page.
/// </summary>
/// <remarks>
/// Two lookups: by the key's hash (API requests, sign-in), and by organization and key id (the
/// dashboard's cookie, which holds the id but never the secret). A revocation evicts at once, on this
/// node through the API and on the others through <see cref="RevocationWatch"/>; were that watch
/// interrupted, <see cref="Lifetime"/> still bounds how long a revoked key is served. No secret is kept here.
/// Safe for concurrent use.
/// </remarks>
internal sealed class KeyCache(TimeProvider time, KeyHasher hasher, ILogger<KeyCache> logger)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    /// <summary>How often a key's last-used time is written: coarse, so that using a key costs no write per request.</summary>
    public static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    private const int MaxEntries = 10_000;

    // Key id → when this node last wrote its last-used time (TimeProvider timestamp).
    private readonly ConcurrentDictionary<long, long> _touched = new();

    private readonly ConcurrentDictionary<Digest, Entry> _byHash = new();

    // Hashes of presented keys the store did not know, and when that was found: a client retrying a
    // wrong key (or a flood of them) costs no store reads for Lifetime. A key made later cannot be among
    // them, as nobody can present a key before it is generated.
    private readonly ConcurrentDictionary<Digest, long> _unknown = new();
    private readonly ConcurrentDictionary<long, OrganizationEntry> _byOrganization = new();

    // Counts evictions, so that a key list read before a revocation and stored after its eviction
    // is dropped instead of bringing the revoked key back for a whole lifetime.
    private long _evictions;

    public async Task<ApiKeyRecord?> FindAsync(string key, IKeyStore keys, CancellationToken ct)
        => (await FindEntryAsync(key, keys, ct))?.Record;

    /// <summary>The authentication ticket of an unrevoked key, or null; the same instance while the key stays cached.</summary>
    public async Task<AuthenticationTicket?> FindTicketAsync(string key, IKeyStore keys, CancellationToken ct)
        => (await FindEntryAsync(key, keys, ct))?.Ticket;

    private async Task<Entry?> FindEntryAsync(string key, IKeyStore keys, CancellationToken ct)
    {
        var hash = await hasher.HashAsync(key);
        var digest = Digest.Of(hash);
        var now = time.GetTimestamp();
        if (_byHash.TryGetValue(digest, out var entry) && time.GetElapsedTime(entry.Loaded, now) < Lifetime)
        {
            await TouchIfDueAsync(entry.Record, keys, now);
            return entry;
        }

        if (_unknown.TryGetValue(digest, out var refused) && time.GetElapsedTime(refused, now) < Lifetime)
        {
            return null;
        }

        var record = await keys.FindKeyAsync(hash, ct) ?? await FindUnderOlderHashAsync(key, hash, keys, ct);
        if (record is not null)
        {
            await TouchIfDueAsync(record, keys, now);
            if (_byHash.Count >= MaxEntries)
            {
                _byHash.Clear();   // REVIEW: crude, but bounded; only many distinct live keys get here.
            }

            entry = new Entry(record, now, ApiKeyAuthenticationHandler.TicketFor(record));
            _byHash[digest] = entry;
            return entry;
        }

        _byHash.TryRemove(digest, out _);
        if (_unknown.Count >= MaxEntries)
        {
            _unknown.Clear();
        }

        _unknown[digest] = now;
        return null;
    }

    /// <summary>A key stored under an earlier secret (or none), moved to the current hash on the way.</summary>
    /// <remarks>Only unknown keys get here, and then once per older hash: a few indexed reads.</remarks>
    private async Task<ApiKeyRecord?> FindUnderOlderHashAsync(string key, byte[] hash, IKeyStore keys, CancellationToken ct)
    {
        foreach (var older in await hasher.OlderHashesAsync(key))
        {
            if (await keys.FindKeyAsync(older, ct) is { } record)
            {
                await keys.ReplaceKeyHashAsync(record.Id, hash, ct);
                return record;
            }
        }

        return null;
    }

    /// <summary>Writes a key's last-used time when this node has not for <see cref="TouchInterval"/>.</summary>
    /// <remarks>A failed write is logged, not the request's failure: the time is bookkeeping.</remarks>
    private async Task TouchIfDueAsync(ApiKeyRecord record, IKeyStore keys, long now)
    {
        if (_touched.TryGetValue(record.Id, out var last) && time.GetElapsedTime(last, now) < TouchInterval)
        {
            return;
        }

        if (_touched.Count >= MaxEntries)
        {
            _touched.Clear();
        }

        _touched[record.Id] = now;
        try
        {
            await keys.TouchKeyAsync(record.Id, time.GetUtcNow().ToUnixTimeSeconds(), CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not record the use of key {KeyId}.", record.Id);
        }
    }

    /// <summary>
    /// The unrevoked key <paramref name="keyId"/> of <paramref name="organization"/>, or null when
    /// that organization has no such key (unknown, revoked, or another organization's).
    /// </summary>
    /// <remarks>
    /// Caches the organization's whole key list (a few rows) for <see cref="Lifetime"/>. A key the
    /// cached list lacks is read again at once, so that a key created a moment ago is found; such
    /// misses are rare, because the dashboard ends the session of a key that is not found.
    /// </remarks>
    public async Task<ApiKeyRecord?> FindByIdAsync(long organization, long keyId, IKeyStore keys, CancellationToken ct)
    {
        var now = time.GetTimestamp();
        if (_byOrganization.TryGetValue(organization, out var entry) && time.GetElapsedTime(entry.Loaded, now) < Lifetime
            && entry.Find(keyId) is { } cached)
        {
            await TouchIfDueAsync(cached, keys, now);
            return cached;
        }

        var evictions = Interlocked.Read(ref _evictions);
        var list = await keys.ListKeysAsync(organization, ct);
        var loaded = new OrganizationEntry([.. list.Where(k => k.RevokedAt is null && k.Organization == organization)], now);
        if (Interlocked.Read(ref _evictions) == evictions)
        {
            if (_byOrganization.Count >= MaxEntries)
            {
                _byOrganization.Clear();   // REVIEW: crude, but bounded, as for _byHash.
            }

            _byOrganization[organization] = loaded;
        }

        var found = loaded.Find(keyId);
        if (found is not null)
        {
            await TouchIfDueAsync(found, keys, now);
        }

        return found;
    }

    /// <summary>Forgets every key, as when revocations may have been missed (see <see cref="IKeyStore.WatchRevocationsAsync"/>).</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _evictions);
        _byHash.Clear();
        _byOrganization.Clear();
    }

    /// <summary>Forgets a key at once, in both lookups: called when it is revoked on this node or another.</summary>
    public void Evict(long keyId)
    {
        Interlocked.Increment(ref _evictions);
        foreach (var (digest, entry) in _byHash)
        {
            if (entry.Record.Id == keyId)
            {
                _byHash.TryRemove(digest, out _);
            }
        }

        // Key ids are unique across organizations, so the organization whose list holds the key
        // is the revoking one; its list is dropped whole and read again at its next lookup.
        foreach (var (organization, entry) in _byOrganization)
        {
            if (entry.Find(keyId) is not null)
            {
                _byOrganization.TryRemove(organization, out _);
            }
        }
    }

    private sealed record Entry(ApiKeyRecord Record, long Loaded, AuthenticationTicket Ticket);

    /// <summary>A key's 32-byte hash as a dictionary key: compared as four integers, with no hex string made per request.</summary>
    private readonly record struct Digest(UInt128 High, UInt128 Low)
    {
        public static Digest Of(ReadOnlySpan<byte> hash)
            => new(BinaryPrimitives.ReadUInt128LittleEndian(hash), BinaryPrimitives.ReadUInt128LittleEndian(hash[16..]));
    }

    /// <summary>An organization's unrevoked keys, as read at <see cref="Loaded"/>.</summary>
    private sealed record OrganizationEntry(ApiKeyRecord[] Keys, long Loaded)
    {
        public ApiKeyRecord? Find(long keyId) => Array.Find(Keys, k => k.Id == keyId);
    }
}

/// <summary>Reads what the authentication handler put on the principal.</summary>
internal static class PrincipalExtensions
{
    public static long Organization(this ClaimsPrincipal user)
        => long.Parse(user.FindFirstValue(ApiKeyAuthenticationHandler.OrganizationClaim)!, CultureInfo.InvariantCulture);
}
