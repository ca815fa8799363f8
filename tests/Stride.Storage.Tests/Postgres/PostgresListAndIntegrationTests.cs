namespace Stride.Storage.Tests.Postgres;

public sealed class PostgresListStoreContractTests : ListStoreContractTests<PostgresStoreProvider>;

public sealed class PostgresIntegrationStoreContractTests : IntegrationStoreContractTests<PostgresStoreProvider>;
