namespace Stride.Server.Auth;

internal static class AuthSetup
{
    /// <summary>API-key authentication; routes say which scope they need with <see cref="ScopeChecks.RequireScope"/>.</summary>
    public static IServiceCollection AddStrideAuth(this IServiceCollection services)
    {
        services.AddSingleton<KeyHasher>();
        services.AddSingleton<KeyCache>();
        services.AddHostedService<RevocationWatch>();   // other nodes' revocations, at once
        services.AddTransient<ApiKeyAuthenticationHandler>();
        services.AddAuthentication(o =>
        {
            o.AddScheme<ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, "API key");
            o.DefaultScheme = ApiKeyAuthenticationHandler.SchemeName;
        });
        return services;
    }
}
