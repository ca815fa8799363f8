using System.Security.Cryptography;
using System.Text;

namespace Stride.Server.Webhooks;

/// <summary>Checks that a webhook comes from the provider holding the organization's secret.</summary>
/// <remarks>Every comparison is constant-time, so that response timing tells nothing of the expected value.</remarks>
internal static class WebhookSignatures
{
    /// <summary>GitHub: <c>X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256 of the raw body&gt;</c>.</summary>
    public static bool IsValidGitHub(string? header, byte[] body, string secret)
    {
        const string Prefix = "sha256=";
        if (header is null || !header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return HexEquals(header.AsSpan(Prefix.Length).Trim(), Hmac(secret, body));
    }

    /// <summary>GitLab: <c>X-Gitlab-Token</c> is the secret itself.</summary>
    public static bool IsValidGitLab(string? header, string secret)
        => header is not null
            && CryptographicOperations.FixedTimeEquals(
                SHA256.HashData(Encoding.UTF8.GetBytes(header)), SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>PagerDuty: <c>X-PagerDuty-Signature: v1=&lt;hex&gt;[,v1=&lt;hex&gt;…]</c>, one per secret while PagerDuty rotates them; any may match.</summary>
    public static bool IsValidPagerDuty(string? header, byte[] body, string secret)
    {
        if (header is null)
        {
            return false;
        }

        var expected = Hmac(secret, body);
        var valid = false;
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // Every candidate is compared (no early exit), so the time spent does not tell which one matched.
            valid |= part.StartsWith("v1=", StringComparison.Ordinal) && HexEquals(part.AsSpan(3), expected);
        }

        return valid;
    }

    private static byte[] Hmac(string secret, byte[] body) => HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);

    private static bool HexEquals(ReadOnlySpan<char> hex, byte[] expected)
    {
        // A value of the wrong length or not hex fails at once: the expected length is public.
        Span<byte> given = stackalloc byte[expected.Length];
        if (hex.Length != expected.Length * 2 || Convert.FromHexString(hex, given, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != expected.Length)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
