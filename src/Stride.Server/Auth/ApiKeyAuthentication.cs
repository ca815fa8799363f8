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

        var record = await cache.FindAsync(key, keys, _context.RequestAborted);
        if (record is null)
        {
            return AuthenticateResult.Fail("The API key is unknown or revoked.");
        }

        var claims = new List<Claim>(record.Scopes.Count + 2)
        {
            new(OrganizationClaim, record.Organization.ToString(CultureInfo.InvariantCulture)),
            new(KeyIdClaim, record.Id.ToString(CultureInfo.InvariantCulture)),
        };
        claims.AddRange(record.Scopes.Select(s => new Claim(ScopeClaim, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
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
/// read the key table each time.
/// </summary>
/// <remarks>
/// A revocation on this node evicts at once; other nodes see it within <see cref="Lifetime"/>.
/// Entries are found by the key's hash, so no secret is kept here.
/// </remarks>
internal sealed class KeyCache(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _byHash = new(StringComparer.Ordinal);

    public async Task<ApiKeyRecord?> FindAsync(string key, IKeyStore keys, CancellationToken ct)
    {
        var hash = ApiKeys.Hash(key);
        var hex = Convert.ToHexString(hash);
        var now = time.GetTimestamp();
        if (_byHash.TryGetValue(hex, out var entry) && time.GetElapsedTime(entry.Loaded, now) < Lifetime)
        {
            return entry.Record;
        }

        var record = await keys.FindKeyAsync(hash, ct);
        if (record is not null)
        {
            if (_byHash.Count >= MaxEntries)
            {
                _byHash.Clear();   // REVIEW: crude, but bounded; only many distinct live keys get here.
            }

            _byHash[hex] = new Entry(record, now);
        }
        else
        {
            _byHash.TryRemove(hex, out _);
        }

        return record;
    }

    public void Evict(long keyId)
    {
        foreach (var (hex, entry) in _byHash)
        {
            if (entry.Record.Id == keyId)
            {
                _byHash.TryRemove(hex, out _);
            }
        }
    }

    private sealed record Entry(ApiKeyRecord Record, long Loaded);
}

/// <summary>Reads what the authentication handler put on the principal.</summary>
internal static class PrincipalExtensions
{
    public static long Organization(this ClaimsPrincipal user)
        => long.Parse(user.FindFirstValue(ApiKeyAuthenticationHandler.OrganizationClaim)!, CultureInfo.InvariantCulture);
}
