using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Stride.Storage;

namespace Stride.Server.Auth;

/// <summary>
/// Authenticates requests by API key, given as <c>Authorization: Bearer</c>, <c>X-Api-Key</c> or
/// the Pulse-style <c>api_key</c> query parameter.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IKeyStore keys,
    KeyCache cache,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string OrganizationClaim = "stride:organization";
    public const string ScopeClaim = "stride:scope";
    public const string KeyIdClaim = "stride:key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = FindKey(Request);
        if (key is null)
        {
            return AuthenticateResult.NoResult();
        }

        var record = await cache.FindAsync(key, keys, Context.RequestAborted);
        if (record is null)
        {
            return AuthenticateResult.Fail("The API key is unknown or revoked.");
        }

        var claims = new List<Claim>(record.Scopes.Count + 2)
        {
            new(OrganizationClaim, record.Organization.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(KeyIdClaim, record.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        claims.AddRange(record.Scopes.Select(s => new Claim(ScopeClaim, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        => WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized",
            FindKey(Request) is null
                ? "An API key is required: send it as 'Authorization: Bearer <key>', 'X-Api-Key: <key>' or the 'api_key' query parameter."
                : "The API key is unknown or revoked.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
        => WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden",
            "The API key does not have the scope this route needs.");

    private async Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            Response.Headers.WWWAuthenticate = "Bearer";
        }

        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
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
/// </remarks>
internal sealed class KeyCache(IMemoryCache cache)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    public async Task<ApiKeyRecord?> FindAsync(string key, IKeyStore keys, CancellationToken ct)
    {
        var hash = Convert.ToHexString(ApiKeys.Hash(key));
        if (cache.TryGetValue(hash, out ApiKeyRecord? record))
        {
            return record;
        }

        record = await keys.FindKeyAsync(Convert.FromHexString(hash), ct);
        if (record is not null)
        {
            cache.Set(hash, record, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = Lifetime, Size = 1 });
            cache.Set(KeyIdEntry(record.Id), hash, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = Lifetime, Size = 1 });
        }

        return record;
    }

    public void Evict(long keyId)
    {
        if (cache.TryGetValue(KeyIdEntry(keyId), out string? hash) && hash is not null)
        {
            cache.Remove(hash);
        }
    }

    private static string KeyIdEntry(long id) => "id:" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Reads what the authentication handler put on the principal.</summary>
internal static class PrincipalExtensions
{
    public static long Organization(this ClaimsPrincipal user)
        => long.Parse(user.FindFirstValue(ApiKeyAuthenticationHandler.OrganizationClaim)!, System.Globalization.CultureInfo.InvariantCulture);
}
