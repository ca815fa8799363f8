namespace Stride.Storage;

/// <summary>
/// The keys ASP.NET Core's data protection encrypts the dashboard's cookies with, kept in the database
/// so that every node of one database shares them: a cookie one node issued is read by any other.
/// </summary>
/// <remarks>
/// Synchronous, because data protection's key repository is: it reads the keys once at start and
/// again about once a day, and writes one when it rotates them (every 90 days).
/// </remarks>
public interface IDataProtectionKeyStore
{
    /// <summary>Every stored key, as the XML data protection gave it.</summary>
    IReadOnlyList<string> ReadDataProtectionKeys();

    /// <summary>Stores a new key under its name; a name already stored keeps its first key.</summary>
    void StoreDataProtectionKey(string name, string xml);
}
