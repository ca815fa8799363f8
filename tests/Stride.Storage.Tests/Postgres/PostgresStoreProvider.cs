using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Stride.Storage.Postgres;

namespace Stride.Storage.Tests.Postgres;

/// <summary>
/// Each store is its own new database on the PostgreSQL server that <c>STRIDE_TEST_POSTGRES</c> names
/// (test.sh starts a throwaway one), dropped afterwards.
/// </summary>
/// <remarks>Without the variable the tests fail, saying how to start a server: nothing is skipped silently.</remarks>
public sealed class PostgresStoreProvider : StoreProvider
{
    /// <summary>The variable holding the connection string of the test server (any database on it).</summary>
    public const string Variable = "STRIDE_TEST_POSTGRES";

    public override async Task<TestStore> CreateStoreAsync(TimeProvider time, CancellationToken ct)
    {
        var (connectionString, drop) = await CreateDatabaseAsync(ct);
        var store = await StoreFactory.OpenAsync(connectionString, time, ct);
        return new TestStore(store, time as FakeTimeProvider, drop);
    }

    /// <summary>Creates an empty database on the test server; returns its connection string and its removal.</summary>
    public static async Task<(string ConnectionString, Func<ValueTask> Drop)> CreateDatabaseAsync(CancellationToken ct)
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"{Variable} names no PostgreSQL server. Run the tests with ./test.sh, which starts one, or start one with "
                + $"'eval \"$(scripts/postgres.sh start)\"' and export {Variable}.");
        }

        var name = $"stride_test_{Guid.NewGuid():N}";
        var admin = new NpgsqlConnectionStringBuilder(server) { Pooling = false };
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync(ct);
        }

        var database = new NpgsqlConnectionStringBuilder(server) { Database = name };
        return (database.ConnectionString, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(admin.ConnectionString);
            await connection.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        });
    }
}

/// <summary>Tests that each get a new, empty database on the test server, dropped afterwards.</summary>
public abstract class FreshDatabaseTests : IAsyncLifetime
{
    private Func<ValueTask> _drop = () => ValueTask.CompletedTask;

    /// <summary>The clock the tests give their stores.</summary>
    protected FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    /// <summary>The test's database.</summary>
    protected string ConnectionString { get; private set; } = "";

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => (ConnectionString, _drop) = await PostgresStoreProvider.CreateDatabaseAsync(Ct);

    public async ValueTask DisposeAsync() => await _drop();
}
