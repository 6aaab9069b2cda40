export {
  describeEventStoreContract,
  type ContractFixture,
  type ContractOptions,
} from './event-store.contract';
export {
  POSTGRES_TEST_SERVER_URL,
  createTestDatabase,
  describeWithPostgres,
  postgresTestServerAvailable,
  type TestDatabase,
} from './postgres-database';
export { startLineProcess, type LineProcess } from './line-process';
