// The ceiling for durable batched writes to PostgreSQL on a machine, the counterpart of
// ../shared/bench/sqlite-ceiling: one connection writing change rows (organization, system, 40-char
// id, timestamp) with binary COPY, 5,000 rows per COPY, each COPY its own transaction, into a table
// keyed like Stride's `changes`. Binary COPY is the fastest way in; it cannot upsert, so the rows are
// all new (the upper bound of what an ingestion that must upsert can do).
// Run: dotnet run -c Release -- "Host=127.0.0.1;Port=5432;Username=stride;Database=bench" [rows]
using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: PostgresCeiling <connection string> [rows]");
    return 2;
}

var rows = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
const int Batch = 5000;
var table = $"ceiling_{Guid.NewGuid():N}";
await using var connection = new NpgsqlConnection(args[0]);
await connection.OpenAsync();
await using (var setup = new NpgsqlCommand(
    $"CREATE TABLE {table} (org bigint NOT NULL, system text COLLATE \"C\" NOT NULL, id text COLLATE \"C\" NOT NULL, ts bigint NOT NULL, PRIMARY KEY (org, system, id))",
    connection))
{
    await setup.ExecuteNonQueryAsync();
}

try
{
    var clock = Stopwatch.StartNew();
    for (var b = 0; b < rows / Batch; b++)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY {table} (org, system, id, ts) FROM STDIN (FORMAT BINARY)"))
        {
            for (var k = b * Batch; k < (b + 1) * Batch; k++)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(1L, NpgsqlDbType.Bigint);
                await copy.WriteAsync("svc-" + (k % 20), NpgsqlDbType.Text);
                await copy.WriteAsync(k.ToString("x40", System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.Text);
                await copy.WriteAsync(1_700_000_000L + k, NpgsqlDbType.Bigint);
            }

            await copy.CompleteAsync();
        }

        await transaction.CommitAsync();
    }

    var seconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"{rows} rows in {seconds:F2} s = {rows / seconds:F0} rows/s");
}
finally
{
    await using var drop = new NpgsqlCommand($"DROP TABLE {table}", connection);
    await drop.ExecuteNonQueryAsync();
}

return 0;
