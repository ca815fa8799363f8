namespace Stride.Server.Auth;

internal static class AuthSetup
{
    /// <summary>API-key authentication and one authorization policy per scope.</summary>
    public static IServiceCollection AddStrideAuth(this IServiceCollection services)
    {
        services.AddSingleton<KeyCache>();
        services.AddTransient<ApiKeyAuthenticationHandler>();
        services.AddAuthentication(o =>
        {
            o.AddScheme<ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, "API key");
            o.DefaultScheme = ApiKeyAuthenticationHandler.SchemeName;
        });
        var authorization = services.AddAuthorizationBuilder();
        foreach (var scope in new[] { Scopes.Ingest, Scopes.Read, Scopes.Admin, Scopes.Operator, Scopes.IngestOrRead })
        {
            authorization.AddPolicy(scope, p => p
                .RequireAuthenticatedUser()
                .RequireAssertion(c => Scopes.Allows(
                    c.User.FindAll(ApiKeyAuthenticationHandler.ScopeClaim).Select(x => x.Value), scope)));
        }

        return services;
    }
}
