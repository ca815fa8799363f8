using Microsoft.Extensions.Time.Testing;

namespace Stride.Storage.Tests;

/// <summary>Organizations and API keys through <see cref="IKeyStore"/>, for every provider (STYLE T5).</summary>
public abstract class KeyStoreContractTests<TProvider>
    where TProvider : StoreProvider, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EnsuringAnOrganizationTwiceGivesTheSameId()
    {
        await using var store = await CreateStoreAsync();

        var acme = await store.Keys.EnsureOrganizationAsync("acme", Ct);
        var again = await store.Keys.EnsureOrganizationAsync("acme", Ct);
        var other = await store.Keys.EnsureOrganizationAsync("umbrella", Ct);

        Assert.Equal(acme, again);
        Assert.NotEqual(acme, other);
    }

    [Fact]
    public async Task NewDatabaseHasNoKeyUntilOneIsCreated()
    {
        await using var store = await CreateStoreAsync();
        Assert.False(await store.Keys.AnyKeyAsync(Ct));

        var org = await store.Keys.EnsureOrganizationAsync("acme", Ct);
        await store.Keys.CreateKeyAsync(NewKey(org, "bootstrap", 1), Ct);

        Assert.True(await store.Keys.AnyKeyAsync(Ct));
    }

    [Fact]
    public async Task CreatedKeyIsFoundByItsHash()
    {
        await using var store = await CreateStoreAsync();
        var org = await store.Keys.EnsureOrganizationAsync("acme", Ct);

        var id = await store.Keys.CreateKeyAsync(NewKey(org, "ci", 7, ["ingest", "read"]), Ct);

        Assert.Equal(
            new ApiKeyRecord(id, org, "ci", "sk_7", ["ingest", "read"], 1_700_000_000, null),
            await store.Keys.FindKeyAsync(Hash(7), Ct),
            KeyComparer.Instance);
        Assert.Null(await store.Keys.FindKeyAsync(Hash(8), Ct));
    }

    [Fact]
    public async Task RevokedKeyIsNotFoundButStillListed()
    {
        await using var store = await CreateStoreAsync();
        var org = await store.Keys.EnsureOrganizationAsync("acme", Ct);
        var id = await store.Keys.CreateKeyAsync(NewKey(org, "ci", 1), Ct);

        Assert.Equal(1, await store.Keys.RevokeKeyAsync(org, id, 1_700_000_500, Ct));

        Assert.Null(await store.Keys.FindKeyAsync(Hash(1), Ct));
        Assert.Equal(1_700_000_500, Assert.Single(await store.Keys.ListKeysAsync(org, Ct)).RevokedAt);
        Assert.Equal(0, await store.Keys.RevokeKeyAsync(org, id, 1_700_000_600, Ct));
        Assert.Equal(1_700_000_500, Assert.Single(await store.Keys.ListKeysAsync(org, Ct)).RevokedAt);
    }

    [Fact]
    public async Task KeysAreListedNewestFirstWithinTheirOrganization()
    {
        await using var store = await CreateStoreAsync();
        var acme = await store.Keys.EnsureOrganizationAsync("acme", Ct);
        var umbrella = await store.Keys.EnsureOrganizationAsync("umbrella", Ct);
        var first = await store.Keys.CreateKeyAsync(NewKey(acme, "first", 1) with { CreatedAt = 100 }, Ct);
        var second = await store.Keys.CreateKeyAsync(NewKey(acme, "second", 2) with { CreatedAt = 200 }, Ct);
        var sameTime = await store.Keys.CreateKeyAsync(NewKey(acme, "same-time", 3) with { CreatedAt = 200 }, Ct);
        await store.Keys.CreateKeyAsync(NewKey(umbrella, "theirs", 4), Ct);

        var keys = await store.Keys.ListKeysAsync(acme, Ct);

        Assert.Equal([sameTime, second, first], keys.Select(k => k.Id));
        Assert.All(keys, k => Assert.Equal(acme, k.Organization));
    }

    [Fact]
    public async Task OrganizationCannotRevokeAnotherOrganizationsKey()
    {
        await using var store = await CreateStoreAsync();
        var acme = await store.Keys.EnsureOrganizationAsync("acme", Ct);
        var umbrella = await store.Keys.EnsureOrganizationAsync("umbrella", Ct);
        var id = await store.Keys.CreateKeyAsync(NewKey(acme, "ci", 1), Ct);

        Assert.Equal(0, await store.Keys.RevokeKeyAsync(umbrella, id, 1_700_000_500, Ct));

        Assert.NotNull(await store.Keys.FindKeyAsync(Hash(1), Ct));
        Assert.Empty(await store.Keys.ListKeysAsync(umbrella, Ct));
    }

    [Fact]
    public async Task SecondKeyWithTheSameHashIsRefused()
    {
        await using var store = await CreateStoreAsync();
        var org = await store.Keys.EnsureOrganizationAsync("acme", Ct);
        await store.Keys.CreateKeyAsync(NewKey(org, "ci", 1), Ct);

        await Assert.ThrowsAnyAsync<Exception>(() => store.Keys.CreateKeyAsync(NewKey(org, "copy", 1), Ct));

        Assert.Single(await store.Keys.ListKeysAsync(org, Ct));
    }

    [Fact]
    public async Task KeyOfAnUnknownOrganizationIsRefused()
    {
        await using var store = await CreateStoreAsync();

        await Assert.ThrowsAnyAsync<Exception>(() => store.Keys.CreateKeyAsync(NewKey(424242, "ci", 1), Ct));

        Assert.False(await store.Keys.AnyKeyAsync(Ct));
    }

    [Fact]
    public async Task AnOrganizationIsCreatedWithItsFirstKeyAndATakenNameStoresNothing()
    {
        await using var store = await CreateStoreAsync();
        var acme = await store.Keys.EnsureOrganizationAsync("acme", Ct);

        var payments = await store.Keys.CreateOrganizationAsync("payments", NewKey(0, "admin", 5), Ct);
        var taken = await store.Keys.CreateOrganizationAsync("acme", NewKey(0, "admin", 6), Ct);

        Assert.NotNull(payments);
        Assert.Equal(new Organization(payments.Id, "payments", 1_700_000_000), payments);
        Assert.Null(taken);
        Assert.Equal(payments.Id, (await store.Keys.FindKeyAsync(Hash(5), Ct))?.Organization);
        Assert.Null(await store.Keys.FindKeyAsync(Hash(6), Ct));
        Assert.Equal(["acme", "payments"], (await store.Keys.ListOrganizationsAsync(Ct)).Select(o => o.Name));
        Assert.Equal([acme, payments.Id], (await store.Keys.ListOrganizationsAsync(Ct)).Select(o => o.Id));
    }

    [Fact]
    public async Task OfManyCreatingOneOrganizationNameAtOnceOneSucceeds()
    {
        await using var store = await CreateStoreAsync();

        var created = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            store.Keys.CreateOrganizationAsync("payments", NewKey(0, "admin", (byte)(10 + i)), Ct)));

        var winner = Assert.Single(created, c => c is not null);
        Assert.Single(await store.Keys.ListKeysAsync(winner!.Id, Ct));
        Assert.Single(await store.Keys.ListOrganizationsAsync(Ct));
    }

    [Fact]
    public async Task AKeysLastUseOnlyMovesForward()
    {
        await using var store = await CreateStoreAsync();
        var org = await store.Keys.EnsureOrganizationAsync("acme", Ct);
        var id = await store.Keys.CreateKeyAsync(NewKey(org, "ci", 1), Ct);
        Assert.Null(Assert.Single(await store.Keys.ListKeysAsync(org, Ct)).LastUsedAt);

        await store.Keys.TouchKeyAsync(id, 1_700_000_100, Ct);
        await store.Keys.TouchKeyAsync(id, 1_700_000_050, Ct);   // a slower node's older news

        Assert.Equal(1_700_000_100, Assert.Single(await store.Keys.ListKeysAsync(org, Ct)).LastUsedAt);
        Assert.Equal(1_700_000_100, (await store.Keys.FindKeyAsync(Hash(1), Ct))?.LastUsedAt);
        await store.Keys.TouchKeyAsync(id, 1_700_000_200, Ct);
        Assert.Equal(1_700_000_200, Assert.Single(await store.Keys.ListKeysAsync(org, Ct)).LastUsedAt);
    }

    [Fact]
    public async Task AReplacedHashFindsTheKeyAndTheOldOneNoLonger()
    {
        await using var store = await CreateStoreAsync();
        var org = await store.Keys.EnsureOrganizationAsync("acme", Ct);
        var id = await store.Keys.CreateKeyAsync(NewKey(org, "ci", 1), Ct);

        await store.Keys.ReplaceKeyHashAsync(id, Hash(2), Ct);

        Assert.Null(await store.Keys.FindKeyAsync(Hash(1), Ct));
        Assert.Equal(id, (await store.Keys.FindKeyAsync(Hash(2), Ct))?.Id);
    }

    [Fact]
    public async Task ASecretIsTheFirstOneOfferedWhoeverAsksAndWhenever()
    {
        await using var store = await CreateStoreAsync();

        var offered = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => store.Keys.GetOrCreateSecretAsync("hmac", Hash((byte)i), Ct)));
        var later = await store.Keys.GetOrCreateSecretAsync("hmac", Hash(99), Ct);
        var other = await store.Keys.GetOrCreateSecretAsync("other", Hash(50), Ct);

        Assert.Single(offered.Select(Convert.ToHexString).Distinct());
        Assert.Equal(offered[0], later);
        Assert.Contains(Convert.ToHexString(later), Enumerable.Range(0, 8).Select(i => Convert.ToHexString(Hash((byte)i))));
        Assert.Equal(Hash(50), other);
    }

    private static async Task<TestStore> CreateStoreAsync()
    {
        var provider = new TProvider();
        Assert.True(provider.IsAvailable, provider.UnavailableReason);   // never skipped: a missing server fails the run
        return await provider.CreateStoreAsync(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)), Ct);
    }

    private static NewApiKey NewKey(long org, string name, byte seed, IReadOnlyList<string>? scopes = null)
        => new(org, name, $"sk_{seed}", Hash(seed), scopes ?? ["admin"], 1_700_000_000);

    private static byte[] Hash(byte seed) => [.. Enumerable.Range(0, 32).Select(i => (byte)(seed + i))];

    /// <summary>Records compare lists by reference; keys are equal when their values are.</summary>
    [Fact]
    public async Task OnlyOneFirstKeyIsCreatedWhenManyTryAtOnce()
    {
        await using var store = await CreateStoreAsync();
        var org = await store.Keys.EnsureOrganizationAsync("default", Ct);

        // As nodes starting together on a new database do: each offers its own first key.
        var created = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => store.Keys.CreateFirstKeyAsync(
            new NewApiKey(org, $"first-{i}", "sk_first", [(byte)i, 1, 2, 3], ["admin"], 1_700_000_000), Ct)));

        Assert.Equal(1, created.Count(c => c));
        var first = Assert.Single(await store.Keys.ListKeysAsync(org, Ct));
        Assert.False(await store.Keys.CreateFirstKeyAsync(new NewApiKey(org, "later", "sk_later", [9, 9], ["admin"], 1_700_000_001), Ct));
        Assert.Equal(first.Id, Assert.Single(await store.Keys.ListKeysAsync(org, Ct)).Id);
    }

    [Fact]
    public async Task DataProtectionKeysAreKeptAndANameKeepsItsFirstKey()
    {
        await using var store = await CreateStoreAsync();
        Assert.Empty(store.Store.ReadDataProtectionKeys());

        store.Store.StoreDataProtectionKey("key-a", "<key id=\"a\" />");
        store.Store.StoreDataProtectionKey("key-b", "<key id=\"b\" />");
        store.Store.StoreDataProtectionKey("key-a", "<key id=\"a2\" />");

        Assert.Equal(["<key id=\"a\" />", "<key id=\"b\" />"], store.Store.ReadDataProtectionKeys().Order(StringComparer.Ordinal));
    }

    private sealed class KeyComparer : IEqualityComparer<ApiKeyRecord?>
    {
        public static readonly KeyComparer Instance = new();

        private static readonly string[] NoScopes = [];

        public bool Equals(ApiKeyRecord? x, ApiKeyRecord? y)
            => x is null || y is null
                ? x is null && y is null
                : x with { Scopes = NoScopes } == y with { Scopes = NoScopes } && x.Scopes.SequenceEqual(y.Scopes);

        public int GetHashCode(ApiKeyRecord? obj) => obj?.Id.GetHashCode() ?? 0;
    }
}
