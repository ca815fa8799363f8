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
        foreach (var (policy, accepted) in Scopes.Policies)
        {
            authorization.AddPolicy(policy, p => p
                .RequireAuthenticatedUser()
                .RequireAssertion(c =>
                {
                    var held = c.User.FindAll(ApiKeyAuthenticationHandler.ScopeClaim).Select(x => x.Value).ToArray();
                    return accepted.Any(scope => Scopes.Allows(held, scope));
                }));
        }

        return services;
    }
}
