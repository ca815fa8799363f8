using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Stride.Server.Auth;
using Stride.Storage;

namespace Stride.Server.Dashboard;

/// <summary>
/// The dashboard's session: a cookie holding the signed-in key's id and organization (never the
/// key), checked against the key store on every request so that a revoked key is signed out at once.
/// </summary>
internal static class DashboardAuth
{
    public const string Scheme = "Dashboard";
    public const string SignInPath = "/sign-in";
    public const string KeyIdClaim = "stride:dashboard:key";
    public const string OrganizationClaim = "stride:dashboard:organization";
    public const string KeyNameClaim = "stride:dashboard:name";

    /// <summary>Why a key cannot open the dashboard, or null when it can.</summary>
    public static string? Refuse(ApiKeyRecord? record)
        => record is null
            ? "This key is not valid: it is unknown or has been revoked. Check that it was copied whole."
            : !Scopes.Allows(record.Scopes, Scopes.Read)
                ? "This key cannot read metrics: the dashboard needs a key with the 'read' (or 'admin') scope."
                : null;

    /// <summary>The principal kept in the cookie for a key that may read.</summary>
    public static ClaimsPrincipal Principal(ApiKeyRecord record) => new(new ClaimsIdentity(
        [
            new Claim(KeyIdClaim, record.Id.ToString(CultureInfo.InvariantCulture)),
            new Claim(OrganizationClaim, record.Organization.ToString(CultureInfo.InvariantCulture)),
            new Claim(KeyNameClaim, record.Name),
        ],
        Scheme));

    /// <summary>Reads the session from a principal the cookie handler accepted, or null when it lacks a claim.</summary>
    public static DashboardSession? Session(ClaimsPrincipal? user)
        => long.TryParse(user?.FindFirstValue(KeyIdClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && long.TryParse(user.FindFirstValue(OrganizationClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var organization)
                ? new DashboardSession(id, organization, user.FindFirstValue(KeyNameClaim) ?? "")
                : null;

    /// <summary>
    /// Runs each time the cookie is read: the key must still exist, unrevoked, in the same
    /// organization and with the read scope; otherwise the cookie is dropped.
    /// </summary>
    /// <remarks>
    /// Through <see cref="KeyCache.FindByIdAsync"/>, so that a page costs no key read: a key
    /// revoked on any node is signed out at the next page (see <see cref="RevocationWatch"/>).
    /// </remarks>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var session = Session(context.Principal);
        var services = context.HttpContext.RequestServices;
        var record = session is null
            ? null
            : await services.GetRequiredService<KeyCache>().FindByIdAsync(
                session.Organization, session.KeyId, services.GetRequiredService<IKeyStore>(), context.HttpContext.RequestAborted);
        if (record is null || Refuse(record) is not null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }
}

/// <summary>Who is signed in: the key's id, its organization (every read is scoped to it) and its name.</summary>
internal sealed record DashboardSession(long KeyId, long Organization, string KeyName);
