using System.Security.Cryptography;
using System.Text;
using Stride.Storage;

namespace Stride.Server.Auth;

/// <summary>Making API keys. Only a hash is stored (see <see cref="KeyHasher"/>); the key is shown once.</summary>
internal static class ApiKeys
{
    private const string Marker = "stride_";

    /// <summary>A new key: a marker, so leaked keys are easy to spot, and 256 random bits.</summary>
    public static string Generate()
        => Marker + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>The start of a key, stored in clear so people can tell their keys apart.</summary>
    public static string Prefix(string key)
        => key.StartsWith(Marker, StringComparison.Ordinal) && key.Length > Marker.Length + 6
            ? key[..(Marker.Length + 6)]
            : key[..Math.Min(4, key.Length / 4)];

    private static string Base64UrlEncode(byte[] bytes)
        => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Hashes API keys as HMAC-SHA256 with the server's secret: what the key table stores and is searched by.</summary>
/// <remarks>
/// <para>
/// The secret is <c>Stride:KeySecret</c> when set (at least 32 characters; every node of a database must
/// have the same), else one the server made and keeps in the database. A configured secret is the
/// stronger choice: a copy of the database alone (a backup, say) then cannot test guesses of a key,
/// even of a short bootstrap key someone chose.
/// </para>
/// <para>
/// A presented key is never compared with stored secrets character by character: it is hashed, and the
/// hash is looked up through the table's unique index (and <see cref="KeyCache"/>'s dictionary). Their
/// timing can only tell an attacker about HMAC values, which say nothing of a key without the secret.
/// </para>
/// <para>
/// Keys stored before hashes were keyed (a plain SHA-256) are still found: <see cref="LegacyHash"/>,
/// and <see cref="KeyCache"/> rewrites such a row to the keyed hash on first use.
/// </para>
/// </remarks>
internal sealed class KeyHasher(IKeyStore keys, IConfiguration configuration)
{
    public const string SecretSetting = "Stride:KeySecret";
    public const int MinimumSecretLength = 32;
    private const string StoredSecretName = "api-key-hmac";

    private readonly Lazy<Task<byte[]>> _secret = new(() => LoadSecretAsync(keys, configuration));

    /// <summary>Loads (or makes) the secret; called at start, so that a bad setting stops the server there.</summary>
    /// <exception cref="InvalidOperationException"><c>Stride:KeySecret</c> is set but too short.</exception>
    public Task InitializeAsync() => _secret.Value;

    public async ValueTask<byte[]> HashAsync(string key)
        => HMACSHA256.HashData(await _secret.Value.ConfigureAwait(false), Encoding.UTF8.GetBytes(key));

    /// <summary>The unkeyed hash of keys created before hashes were keyed.</summary>
    public static byte[] LegacyHash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static async Task<byte[]> LoadSecretAsync(IKeyStore keys, IConfiguration configuration)
    {
        var configured = configuration[SecretSetting];
        if (!string.IsNullOrEmpty(configured))
        {
            return configured.Length >= MinimumSecretLength
                ? Encoding.UTF8.GetBytes(configured)
                : throw new InvalidOperationException(
                    $"{SecretSetting} is too short: use at least {MinimumSecretLength} random characters (for example: openssl rand -base64 48).");
        }

        // Several nodes starting together on a new database agree on the first one stored.
        return await keys.GetOrCreateSecretAsync(StoredSecretName, RandomNumberGenerator.GetBytes(32), CancellationToken.None).ConfigureAwait(false);
    }
}
