using System.Diagnostics;

namespace Stride.Storage;

/// <summary>
/// When the request that reads began. A store whose node must first catch up with the other nodes'
/// writes (PostgreSQL) owes each read every write acknowledged before its request began, so one
/// catch-up begun after that serves all the request's reads: a dashboard page's parts, or a window
/// and the one before it.
/// </summary>
/// <remarks>
/// Outside a request (no <see cref="Begin"/> in this asynchronous flow) each read counts from its own
/// start. The server begins a scope for every request; nothing it serves runs long enough for "writes
/// acknowledged before the request began" to mean less than a client expects.
/// </remarks>
public static class ReadScope
{
    private static readonly AsyncLocal<long?> BeganAt = new();

    /// <summary>When the current request began (a <see cref="Stopwatch.GetTimestamp"/>), or null outside one.</summary>
    public static long? Began => BeganAt.Value;

    /// <summary>Marks now as the start of this asynchronous flow's reads, and of the flows it starts.</summary>
    public static void Begin() => BeganAt.Value = Stopwatch.GetTimestamp();
}
