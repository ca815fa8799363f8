using Stride.Storage;

namespace Stride.Server.Auth;

/// <summary>Gives a new installation its first key, so that someone can use it at all.</summary>
internal static class Bootstrap
{
    public const string DefaultOrganization = "default";
    public const string KeyVariable = "STRIDE_BOOTSTRAP_KEY";

    /// <summary>
    /// When the store has no keys, makes the first admin key of organization <c>default</c>: the
    /// value of <c>STRIDE_BOOTSTRAP_KEY</c> when set (for automation), else a random key that is
    /// printed this once. It also holds the server-wide <c>operator</c> scope.
    /// </summary>
    public static async Task EnsureFirstKeyAsync(
        IKeyStore keys, KeyHasher hasher, IConfiguration configuration, TimeProvider time, TextWriter output, CancellationToken ct)
    {
        await hasher.InitializeAsync();   // a bad Stride:KeySecret stops the server here, not at its first request
        if (await keys.AnyKeyAsync(ct))
        {
            return;
        }

        var given = configuration[KeyVariable];
        var key = string.IsNullOrWhiteSpace(given) ? ApiKeys.Generate() : given.Trim();
        var organization = await keys.EnsureOrganizationAsync(DefaultOrganization, ct);

        // Several nodes starting together on a new database all get here: one of them creates the key.
        var created = await keys.CreateFirstKeyAsync(
            new NewApiKey(organization, "bootstrap", ApiKeys.Prefix(key), await hasher.HashAsync(key),
                [Scopes.Admin, Scopes.Operator], time.GetUtcNow().ToUnixTimeSeconds()),
            ct);

        if (created && string.IsNullOrWhiteSpace(given))
        {
            // Printed, not logged: logs are kept and shipped, and a key must not end up there.
            await output.WriteLineAsync($"""

                Stride created the first admin key of organization '{DefaultOrganization}'. It is shown this once:

                    {key}

                Create narrower keys with POST /api/v1/keys. Set {KeyVariable} to choose this key yourself.

                """);
        }
    }
}
