namespace Stride.Server.Auth;

/// <summary>What a key may do (SPEC §4). <c>admin</c> implies the others of its organization.</summary>
internal static class Scopes
{
    public const string Ingest = "ingest";
    public const string Read = "read";
    public const string Admin = "admin";

    /// <summary>Server-wide: manages organizations. Held only by the bootstrap key.</summary>
    public const string Operator = "operator";

    /// <summary>The scopes a key created through the API may hold.</summary>
    public static readonly string[] Grantable = [Ingest, Read, Admin];

    public static bool Allows(IEnumerable<string> held, string wanted)
        => held.Contains(wanted) || (wanted != Operator && held.Contains(Admin));
}
