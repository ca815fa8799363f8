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
/// A key stored under an earlier secret is still found, and <see cref="KeyCache"/> rewrites its row to the
/// current hash on first use (<see cref="OlderHashesAsync"/>): so keys survive setting <c>Stride:KeySecret</c>
/// on a server that kept its own secret, changing it with the old one in <c>Stride:PreviousKeySecret</c>,
/// and keys made before hashes were keyed (a plain SHA-256).
/// </para>
/// </remarks>
internal sealed class KeyHasher(IKeyStore keys, IConfiguration configuration)
{
    public const string SecretSetting = "Stride:KeySecret";
    public const string PreviousSecretSetting = "Stride:PreviousKeySecret";
    public const int MinimumSecretLength = 32;
    private const string StoredSecretName = "api-key-hmac";

    [ThreadStatic]
    private static (byte[] Secret, IncrementalHash Hmac)? t_hmac;

    private readonly Lazy<Task<Secrets>> _secrets = new(() => LoadSecretsAsync(keys, configuration));

    /// <summary>Loads (or makes) the secret; called at start, so that a bad setting stops the server there.</summary>
    /// <exception cref="InvalidOperationException"><c>Stride:KeySecret</c> or <c>Stride:PreviousKeySecret</c> is set but too short.</exception>
    public Task InitializeAsync() => _secrets.Value;

    public async ValueTask<byte[]> HashAsync(string key)
    {
        var secret = (await _secrets.Value.ConfigureAwait(false)).Current;

        // Every request with a key hashes it. A one-shot HMAC prepares the secret's padded blocks each
        // time (1.7 µs against SHA-256's 0.7); an HMAC kept per thread prepares them once.
        if (t_hmac is not { } hmac || !ReferenceEquals(hmac.Secret, secret))
        {
            t_hmac?.Hmac.Dispose();
            t_hmac = hmac = (secret, IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret));
        }

        hmac.Hmac.AppendData(Encoding.UTF8.GetBytes(key));
        return hmac.Hmac.GetHashAndReset();
    }

    /// <summary>The hashes the key may be stored under from before: earlier secrets, then the unkeyed SHA-256.</summary>
    public async ValueTask<IReadOnlyList<byte[]>> OlderHashesAsync(string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        var secrets = await _secrets.Value.ConfigureAwait(false);
        return [.. secrets.Older.Select(s => HMACSHA256.HashData(s, bytes)), SHA256.HashData(bytes)];
    }

    private static async Task<Secrets> LoadSecretsAsync(IKeyStore keys, IConfiguration configuration)
    {
        // Several nodes starting together on a new database agree on the first one stored. With a
        // configured secret it is only read back as an older one (stored unused on a new database).
        var stored = await keys.GetOrCreateSecretAsync(StoredSecretName, RandomNumberGenerator.GetBytes(32), CancellationToken.None).ConfigureAwait(false);
        var configured = Configured(configuration, SecretSetting);
        var previous = Configured(configuration, PreviousSecretSetting);
        return configured is null
            ? new Secrets(stored, previous is null ? [] : [previous])
            : new Secrets(configured, [.. new[] { previous, stored }.OfType<byte[]>().Where(s => !s.AsSpan().SequenceEqual(configured))]);
    }

    private static byte[]? Configured(IConfiguration configuration, string setting)
    {
        var value = configuration[setting];
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return value.Length >= MinimumSecretLength
            ? Encoding.UTF8.GetBytes(value)
            : throw new InvalidOperationException(
                $"{setting} is too short: use at least {MinimumSecretLength} random characters (for example: openssl rand -base64 48).");
    }

    /// <summary>The secret keys are hashed with now, and the earlier ones they may still be stored under.</summary>
    private sealed record Secrets(byte[] Current, byte[][] Older);
}
