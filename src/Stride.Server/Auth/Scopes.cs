namespace Stride.Server.Auth;

/// <summary>What a key may do (SPEC §4). <c>admin</c> implies the others of its organization.</summary>
internal static class Scopes
{
    public const string Ingest = "ingest";
    public const string Read = "read";
    public const string Admin = "admin";

    /// <summary>Server-wide: manages organizations. Held only by the bootstrap key.</summary>
    public const string Operator = "operator";

    /// <summary>A policy, not a scope: either of the two.</summary>
    public const string IngestOrRead = "ingest|read";

    /// <summary>The scopes a key created through the API may hold.</summary>
    public static readonly string[] Grantable = [Ingest, Read, Admin];

    /// <summary>Each authorization policy and the scopes any one of which satisfies it.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Policies = new Dictionary<string, string[]>
    {
        [Ingest] = [Ingest],
        [Read] = [Read],
        [Admin] = [Admin],
        [Operator] = [Operator],
        [IngestOrRead] = [Ingest, Read],
    };

    public static bool Allows(IEnumerable<string> held, string wanted)
        => held.Contains(wanted) || (wanted != Operator && held.Contains(Admin));
}
