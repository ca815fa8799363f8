using System.Text.Json;
using Microsoft.Data.Sqlite;
using Stride.Core.Events;
using Stride.Storage.Sqlite;

namespace Stride.Storage.Tests.Sqlite;

/// <summary>
/// Commit chains in the SQLite writer: a deployment that lists no changes but names a commit is stored
/// with the commits pushed on the chain since the previously deployed commit.
/// </summary>
public sealed class CommitChainStoreTests : SqliteFileTests
{
    [Fact]
    public async Task PushesSentWithTheDeploymentInOneRequestAreItsChain()
    {
        await using var store = await SqliteStore.OpenAsync($"Data Source={DatabasePath}", Time, Ct);
        var org = await store.EnsureOrganizationAsync("acme", Ct);

        // The deployment comes first in the list: pushes are applied before deployments, as changes are.
        var stored = await store.AppendAsync(org, [Some.Deployment("v1", commit: "b"), Push("b", "a", "b"), Push("a", null, "a")], Ct);

        Assert.Equal(1, stored);   // pushes are not counted
        Assert.Equal(["a", "b"], Changes("v1"));
    }

    [Fact]
    public async Task AChainThatLoopsEndsAndAFailedDeploymentIsNoStop()
    {
        await using var store = await SqliteStore.OpenAsync($"Data Source={DatabasePath}", Time, Ct);
        var org = await store.EnsureOrganizationAsync("acme", Ct);

        // A force-push back to an old head: a → b → a.
        await store.AppendAsync(org, [Push("b", "a", "b"), Push("a", "b", "a")], Ct);
        await store.AppendAsync(org, [Some.Deployment("v0", 1_000, commit: "a", result: DeploymentResult.Failure)], Ct);
        await store.AppendAsync(org, [Some.Deployment("v1", 2_000, commit: "b")], Ct);
        await store.AppendAsync(org, [Some.Deployment("v2", 3_000, commit: "b", changes: ["x"])], Ct);

        Assert.Equal(["a", "b"], Changes("v1"));
        Assert.Equal(["x"], Changes("v2"));
        Assert.Equal(["a", "b"], Changes("v0").Order(StringComparer.Ordinal));   // no earlier deployment: the whole loop once
    }

    private static Push Push(string after, string? before, params string[] commits) => new(Some.System, after, before, commits);

    /// <summary>The changes stored for a deployment, as listed.</summary>
    private List<string> Changes(string deployment)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT changes FROM deployments WHERE id = $id";
        command.Parameters.AddWithValue("$id", deployment);
        return JsonSerializer.Deserialize<List<string>>((string)command.ExecuteScalar()!)!;
    }
}
