export {
  describeEventStoreContract,
  type ContractFixture,
  type ContractOptions,
} from './event-store.contract';
