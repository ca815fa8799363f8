using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Stride.Storage;

namespace Stride.Server.Dashboard;

/// <summary>
/// Keeps data protection's keys (which encrypt the dashboard's sign-in and antiforgery cookies) in
/// Stride's database instead of a folder of the machine: every node of a PostgreSQL database then
/// reads the cookies the others issued, and a server moved to another machine keeps its users signed in.
/// </summary>
internal sealed class StoreKeyRepository(IDataProtectionKeyStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => [.. store.ReadDataProtectionKeys().Select(XElement.Parse)];

    public void StoreElement(XElement element, string friendlyName)
        => store.StoreDataProtectionKey(friendlyName, element.ToString(SaveOptions.DisableFormatting));
}
