namespace Stride.Storage;

/// <summary>One opened database: the event store and the key store over it, disposed together.</summary>
/// <remarks>
/// Obtained from <see cref="StoreFactory.OpenAsync"/>. Thread-safe; meant to live as a singleton for
/// the process. Disposing it waits for queued writes to finish and closes the database.
/// </remarks>
public interface IStrideStore : IEventStore, IKeyStore, IConnectionStore, IWebhookStore, IIssueStore, IDataProtectionKeyStore, IAsyncDisposable
{
}
