using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Stride.Server.Auth;
using Stride.Storage;

namespace Stride.Server.Tests.Auth;

/// <summary>
/// <see cref="KeyCache.FindByIdAsync"/>, the dashboard's revocation check: the server's own cache
/// and key store, with the key list reads counted to tell a cached answer from a fresh one.
/// </summary>
public sealed class KeyCacheTests
{
    [Fact]
    public async Task AKeyIsFoundByItsOrganizationAndIdAndTheListIsReadOnce()
    {
        await using var app = new StrideApplication();
        var (organization, id) = await CreateKeyAsync(app, "read");
        var store = new CountingKeyStore(app.Services.GetRequiredService<IKeyStore>());
        var cache = app.Services.GetRequiredService<KeyCache>();

        var first = await cache.FindByIdAsync(organization, id, store, Http.Ct);
        var second = await cache.FindByIdAsync(organization, id, store, Http.Ct);

        Assert.NotNull(first);
        Assert.Equal(id, first.Id);
        Assert.Equal(organization, first.Organization);
        Assert.Equal(["read"], first.Scopes);
        Assert.Same(first, second);
        Assert.Equal(1, store.ListReads);
    }

    [Fact]
    public async Task AKeyRevokedThroughTheApiIsNotFoundAtOnce()
    {
        await using var app = new StrideApplication();
        var (organization, id) = await CreateKeyAsync(app, "read");
        var store = new CountingKeyStore(app.Services.GetRequiredService<IKeyStore>());
        var cache = app.Services.GetRequiredService<KeyCache>();
        Assert.NotNull(await cache.FindByIdAsync(organization, id, store, Http.Ct));   // now cached

        using var admin = app.CreateAdminClient();
        var response = await admin.DeleteAsync($"/api/v1/keys/{id}", Http.Ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        Assert.Null(await cache.FindByIdAsync(organization, id, store, Http.Ct));
        Assert.Equal(2, store.ListReads);   // the revocation evicted the cached list; it was not merely stale
    }

    [Fact]
    public async Task AnUnknownIdIsNotFound()
    {
        await using var app = new StrideApplication();
        var (organization, id) = await CreateKeyAsync(app, "read");
        var store = app.Services.GetRequiredService<IKeyStore>();
        var cache = app.Services.GetRequiredService<KeyCache>();
        Assert.NotNull(await cache.FindByIdAsync(organization, id, store, Http.Ct));

        Assert.Null(await cache.FindByIdAsync(organization, id + 1_000, store, Http.Ct));
    }

    [Fact]
    public async Task AnotherOrganizationsKeyIsNotFound()
    {
        await using var app = new StrideApplication();
        var (organization, id) = await CreateKeyAsync(app, "read");
        var store = app.Services.GetRequiredService<IKeyStore>();
        var other = await store.EnsureOrganizationAsync("other", Http.Ct);
        var secret = ApiKeys.Generate();
        var hash = await app.Services.GetRequiredService<KeyHasher>().HashAsync(secret);
        var otherId = await store.CreateKeyAsync(
            new NewApiKey(other, "other admin", ApiKeys.Prefix(secret), hash, ["admin"], 1_780_000_000), Http.Ct);
        var cache = app.Services.GetRequiredService<KeyCache>();

        Assert.Null(await cache.FindByIdAsync(organization, otherId, store, Http.Ct));
        Assert.Null(await cache.FindByIdAsync(other, id, store, Http.Ct));
        Assert.Equal(otherId, (await cache.FindByIdAsync(other, otherId, store, Http.Ct))?.Id);
        Assert.Equal(id, (await cache.FindByIdAsync(organization, id, store, Http.Ct))?.Id);
    }

    [Fact]
    public async Task AKeyCreatedAfterTheListWasCachedIsFoundAtOnce()
    {
        await using var app = new StrideApplication();
        var (organization, id) = await CreateKeyAsync(app, "read");
        var store = app.Services.GetRequiredService<IKeyStore>();
        var cache = app.Services.GetRequiredService<KeyCache>();
        Assert.NotNull(await cache.FindByIdAsync(organization, id, store, Http.Ct));

        var (_, newer) = await CreateKeyAsync(app, "read");

        Assert.Equal(newer, (await cache.FindByIdAsync(organization, newer, store, Http.Ct))?.Id);
    }

    [Fact]
    public async Task AKeyRevokedOnAnotherNodeIsNotFoundOnceTheLifetimeHasPassed()
    {
        await using var app = new StrideApplication();
        var (organization, id) = await CreateKeyAsync(app, "read");
        var store = app.Services.GetRequiredService<IKeyStore>();
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_780_000_000));
        var cache = new KeyCache(clock, app.Services.GetRequiredService<KeyHasher>(), NullLogger<KeyCache>.Instance);
        Assert.NotNull(await cache.FindByIdAsync(organization, id, store, Http.Ct));

        // Revoked in the store without this cache's Evict, as another node's API would.
        Assert.Equal(1, await store.RevokeKeyAsync(organization, id, 1_780_000_001, Http.Ct));
        clock.Advance(KeyCache.Lifetime - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(await cache.FindByIdAsync(organization, id, store, Http.Ct));
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Null(await cache.FindByIdAsync(organization, id, store, Http.Ct));
    }

    [Fact]
    public async Task AnUnknownKeyPresentedAgainCostsNoStoreReadsUntilTheLifetimeHasPassed()
    {
        await using var app = new StrideApplication();
        var store = new CountingKeyStore(app.Services.GetRequiredService<IKeyStore>());
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_780_000_000));
        var cache = new KeyCache(clock, app.Services.GetRequiredService<KeyHasher>(), NullLogger<KeyCache>.Instance);

        Assert.Null(await cache.FindAsync("stride_not_a_key", store, Http.Ct));
        var firstLookup = store.FindReads;
        Assert.Null(await cache.FindAsync("stride_not_a_key", store, Http.Ct));
        Assert.True(firstLookup >= 2, $"the current hash and the unkeyed one were looked for: {firstLookup}");
        Assert.Equal(firstLookup, store.FindReads);

        clock.Advance(KeyCache.Lifetime);
        Assert.Null(await cache.FindAsync("stride_not_a_key", store, Http.Ct));
        Assert.Equal(2 * firstLookup, store.FindReads);
    }

    /// <summary>Creates a key through the admin API; returns its organization (the bootstrap key's) and id.</summary>
    private static async Task<(long Organization, long Id)> CreateKeyAsync(StrideApplication app, params string[] scopes)
    {
        using var admin = app.CreateAdminClient();
        var response = await admin.PostObjectAsync("/api/v1/keys", new { name = "cache test", scopes });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<CreatedKey>(Http.Ct);
        var hash = await app.Services.GetRequiredService<KeyHasher>().HashAsync(created!.Key);
        var record = await app.Services.GetRequiredService<IKeyStore>().FindKeyAsync(hash, Http.Ct);
        Assert.NotNull(record);
        Assert.Equal(created.Id, record.Id);
        return (record.Organization, record.Id);
    }

    private sealed record CreatedKey(long Id, string Key);

    /// <summary>The real store, counting the key list reads that reach it.</summary>
    private sealed class CountingKeyStore(IKeyStore inner) : IKeyStore
    {
        private int _listReads;
        private int _findReads;

        public int ListReads => Volatile.Read(ref _listReads);

        public int FindReads => Volatile.Read(ref _findReads);

        public Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(long organization, CancellationToken ct)
        {
            Interlocked.Increment(ref _listReads);
            return inner.ListKeysAsync(organization, ct);
        }

        public Task<long> EnsureOrganizationAsync(string name, CancellationToken ct) => inner.EnsureOrganizationAsync(name, ct);

        public Task<bool> AnyKeyAsync(CancellationToken ct) => inner.AnyKeyAsync(ct);

        public Task<long> CreateKeyAsync(NewApiKey key, CancellationToken ct) => inner.CreateKeyAsync(key, ct);

        public Task<bool> CreateFirstKeyAsync(NewApiKey key, CancellationToken ct) => inner.CreateFirstKeyAsync(key, ct);

        public Task<ApiKeyRecord?> FindKeyAsync(byte[] hash, CancellationToken ct)
        {
            Interlocked.Increment(ref _findReads);
            return inner.FindKeyAsync(hash, ct);
        }

        public Task<int> RevokeKeyAsync(long organization, long id, long revokedAt, CancellationToken ct)
            => inner.RevokeKeyAsync(organization, id, revokedAt, ct);

        public Task<IReadOnlyList<Organization>> ListOrganizationsAsync(CancellationToken ct) => inner.ListOrganizationsAsync(ct);

        public Task<Organization?> CreateOrganizationAsync(string name, NewApiKey adminKey, CancellationToken ct)
            => inner.CreateOrganizationAsync(name, adminKey, ct);

        public Task ReplaceKeyHashAsync(long id, byte[] hash, CancellationToken ct) => inner.ReplaceKeyHashAsync(id, hash, ct);

        public Task WatchRevocationsAsync(Action<long?> revoked, CancellationToken ct) => inner.WatchRevocationsAsync(revoked, ct);

        public Task TouchKeyAsync(long id, long usedAt, CancellationToken ct) => inner.TouchKeyAsync(id, usedAt, ct);

        public Task<byte[]> GetOrCreateSecretAsync(string name, byte[] candidate, CancellationToken ct)
            => inner.GetOrCreateSecretAsync(name, candidate, ct);
    }
}
