using Stride.Server.Auth;
using Stride.Storage;

namespace Stride.Server.Storage;

internal static class StorageSetup
{
    public const string DatabaseKey = "Stride:Database";
    public const string DefaultDatabase = "Data Source=stride.db";

    /// <summary>Opens the store named by <c>Stride:Database</c>, running its migrations, and registers it.</summary>
    public static async Task AddStrideStorageAsync(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration[DatabaseKey];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = DefaultDatabase;
        }

        var store = await StoreFactory.OpenAsync(connectionString, TimeProvider.System, CancellationToken.None);
        // Registered through a factory so that the container disposes it (draining queued writes) at shutdown.
        builder.Services.AddSingleton(_ => store);
        builder.Services.AddSingleton<IEventStore>(sp => sp.GetRequiredService<IStrideStore>());
        builder.Services.AddSingleton<IKeyStore>(sp => sp.GetRequiredService<IStrideStore>());
        builder.Services.AddSingleton<IWebhookStore>(sp => sp.GetRequiredService<IStrideStore>());
        builder.Services.AddSingleton<IConnectionStore>(sp => sp.GetRequiredService<IStrideStore>());
        builder.Services.AddSingleton<IIssueStore>(sp => sp.GetRequiredService<IStrideStore>());
        builder.Services.AddSingleton<IDataProtectionKeyStore>(sp => sp.GetRequiredService<IStrideStore>());
    }

    /// <summary>Makes the first key of a new installation (see <see cref="Bootstrap"/>).</summary>
    public static Task EnsureFirstKeyAsync(this IServiceProvider services, IConfiguration configuration, TextWriter output, CancellationToken ct)
        => Bootstrap.EnsureFirstKeyAsync(
            services.GetRequiredService<IKeyStore>(), services.GetRequiredService<KeyHasher>(), configuration, services.GetRequiredService<TimeProvider>(), output, ct);
}
