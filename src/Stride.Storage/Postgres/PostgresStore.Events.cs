using Npgsql;
using Stride.Core.Events;
using Stride.Core.Metrics;

namespace Stride.Storage.Postgres;

/// <summary>Events (<see cref="IEventStore"/>): the write path is <see cref="PostgresEventWriter"/>; reads are answered from this node's index of the organization (<see cref="PostgresIndexes"/>).</summary>
public sealed partial class PostgresStore
{
    private readonly PostgresIndexes _indexes;
    private long _prunedAt = long.MinValue;

    /// <summary>How many times this node has checked the feed or built an index (for tests).</summary>
    internal long IndexChecks => _indexes.Checks;

    /// <inheritdoc />
    /// <remarks>
    /// One transaction that first locks each system the request touches (see <see cref="PostgresEventWriter"/>);
    /// retried whole after a transient failure. Cancelling <paramref name="ct"/> before the commit rolls
    /// the request back.
    /// </remarks>
    public Task<int> AppendAsync(long organization, IReadOnlyList<Event> events, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return Task.FromResult(0);
        }

        return AppendAndPruneAsync();

        async Task<int> AppendAndPruneAsync()
        {
            var stored = await InTransactionAsync((connection, transaction) => PostgresEventWriter.AppendAsync(connection, transaction, organization, events, ct), ct)
                .ConfigureAwait(false);
            await PruneFeedAsync().ConfigureAwait(false);
            return stored;
        }
    }

    /// <inheritdoc />
    public Task<WindowFacts> ReadFactsAsync(long organization, long from, long to, string environment, IReadOnlyList<string> systems, CancellationToken ct)
        => ReadFactsAsync(organization, from, to, environment, systems, byDay: false, ct);

    /// <inheritdoc />
    /// <remarks>For all systems, every whole UTC day of the range comes summarized.</remarks>
    public Task<WindowFacts> ReadFactsByDayAsync(long organization, long from, long to, string environment, IReadOnlyList<string> systems, CancellationToken ct)
        => ReadFactsAsync(organization, from, to, environment, systems, byDay: true, ct);

    private async Task<WindowFacts> ReadFactsAsync(
        long organization, long from, long to, string environment, IReadOnlyList<string> systems, bool byDay, CancellationToken ct)
        => (await _indexes.ReadAsync(organization, ct).ConfigureAwait(false)).Facts(from, to, environment, systems, byDay);

    /// <inheritdoc />
    public async Task<LatestDeployment?> FindLatestDeploymentAsync(long organization, string system, string environment, CancellationToken ct)
        => (await _indexes.ReadAsync(organization, ct).ConfigureAwait(false)).Latest(system, environment);

    /// <summary>Deletes the feed rows no node needs any more (old, and holding no changes), and drops the indexes not read for a while; at most once a minute per process.</summary>
    /// <remarks>
    /// The events are stored before this runs, so a failure here is not the request's: it is let go,
    /// and the next minute's delete takes those rows too.
    /// </remarks>
    private async Task PruneFeedAsync()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var last = Interlocked.Read(ref _prunedAt);
        if (now < last + 60 || Interlocked.CompareExchange(ref _prunedAt, now, last) != last)
        {
            return;
        }

        _indexes.DropStale();
        const string Sql = "DELETE FROM event_feed WHERE at < extract(epoch FROM clock_timestamp())::bigint - @kept AND NOT holds_changes";
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
            await using var command = new NpgsqlCommand(Sql, connection);
            command.Parameters.AddWithValue("kept", (long)PostgresIndexes.FeedKept.TotalSeconds);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // See above: the rows stay until the next delete.
        }
    }
}
