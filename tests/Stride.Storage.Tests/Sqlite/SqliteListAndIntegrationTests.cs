namespace Stride.Storage.Tests.Sqlite;

public sealed class SqliteListStoreContractTests : ListStoreContractTests<SqliteStoreProvider>;

public sealed class SqliteIntegrationStoreContractTests : IntegrationStoreContractTests<SqliteStoreProvider>;
