using System.Security.Cryptography;
using System.Text;

namespace Stride.Server.Auth;

/// <summary>Making and hashing API keys. Only the hash is stored; the key is shown once.</summary>
internal static class ApiKeys
{
    private const string Marker = "stride_";

    /// <summary>A new key: a marker, so leaked keys are easy to spot, and 256 random bits.</summary>
    public static string Generate()
        => Marker + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    // Keys carry 256 random bits, so one fast hash is enough to make a stolen table useless.
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>The start of a key, stored in clear so people can tell their keys apart.</summary>
    public static string Prefix(string key)
        => key.StartsWith(Marker, StringComparison.Ordinal) && key.Length > Marker.Length + 6
            ? key[..(Marker.Length + 6)]
            : key[..Math.Min(4, key.Length / 4)];

    private static string Base64UrlEncode(byte[] bytes)
        => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
