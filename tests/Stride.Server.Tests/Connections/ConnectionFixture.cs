using System.Net;

namespace Stride.Server.Tests.Connections;

/// <summary>A DevLake connection made through <c>POST /api/v1/connections</c>, with its key shown once and its endpoints' paths.</summary>
/// <param name="Deployments">The path of its deployments endpoint (the test host resolves it against http://localhost).</param>
/// <param name="Issues">The path of its issues endpoint.</param>
internal sealed record Connection(long Id, string Key, string Deployments, string Issues);

/// <summary>Makes connections the way an admin does.</summary>
internal static class ConnectionFixture
{
    /// <summary>Creates a connection named <paramref name="name"/> and asserts the 201.</summary>
    public static async Task<Connection> CreateConnectionAsync(this HttpClient admin, string name = "webhook")
    {
        var response = await admin.PostObjectAsync("/api/v1/connections", new { name });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync();
        return new Connection(
            created.GetProperty("id").GetInt64(),
            created.GetProperty("apiKey").GetString()!,
            new Uri(created.GetProperty("postDeploymentsEndpoint").GetString()!).PathAndQuery,
            new Uri(created.GetProperty("postIssuesEndpoint").GetString()!).PathAndQuery);
    }

    /// <summary>As <see cref="CreateConnectionAsync(HttpClient, string)"/>, with the application's admin key.</summary>
    public static async Task<Connection> CreateConnectionAsync(this StrideApplication app, string name = "webhook")
    {
        using var admin = app.CreateAdminClient();
        return await admin.CreateConnectionAsync(name);
    }
}
