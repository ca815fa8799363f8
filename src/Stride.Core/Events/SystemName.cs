namespace Stride.Core.Events;

/// <summary>The rules that turn what a tool sends as a system into the name Stride keys by.</summary>
public static class SystemName
{
    /// <summary>The system of events that name none.</summary>
    public const string Unknown = "_unknown_";

    /// <summary>
    /// Missing, null or blank becomes <see cref="Unknown"/>; a repository URL becomes
    /// <c>host/org/repo</c>; anything else is kept as given, trimmed.
    /// </summary>
    /// <remarks>
    /// Recognized URLs: <c>http(s)://</c>, <c>ssh://</c>, <c>git://</c> with optional credentials
    /// and port, and the scp-like <c>user@host:org/repo</c>. The host is lower-cased; the path keeps
    /// its case; a trailing <c>/</c> and a <c>.git</c> suffix are removed.
    /// </remarks>
    public static string Normalize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Unknown;
        }

        var text = value.Trim();
        return TryNormalizeRepositoryUrl(text, out var name) ? name : text;
    }

    private static bool TryNormalizeRepositoryUrl(string text, out string name)
    {
        name = "";
        string host;
        string path;
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            var prefix = text[..scheme];
            if (!prefix.Equals("https", StringComparison.OrdinalIgnoreCase)
                && !prefix.Equals("http", StringComparison.OrdinalIgnoreCase)
                && !prefix.Equals("ssh", StringComparison.OrdinalIgnoreCase)
                && !prefix.Equals("git", StringComparison.OrdinalIgnoreCase)
                && !prefix.Equals("git+ssh", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            var rest = text[(scheme + 3)..];
            var slash = rest.IndexOf('/');
            if (slash <= 0)
            {
                return false;
            }

            host = rest[..slash];
            path = rest[(slash + 1)..];
            host = host[(host.LastIndexOf('@') + 1)..];
            var colon = host.LastIndexOf(':');
            if (colon >= 0)
            {
                host = host[..colon];
            }
        }
        else
        {
            // scp-like syntax: git@host:org/repo.git (no scheme, a user before the host).
            var at = text.IndexOf('@');
            var colon = text.IndexOf(':');
            if (at <= 0 || colon < at || text.Contains(' '))
            {
                return false;
            }

            host = text[(at + 1)..colon];
            path = text[(colon + 1)..];
        }

        path = path.Split('?', '#')[0].Trim('/');
        if (path.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            path = path[..^4].TrimEnd('/');
        }

        if (host.Length == 0 || path.Length == 0)
        {
            return false;
        }

        name = host.ToLowerInvariant() + "/" + path;
        return true;
    }
}
