export { describeCheckpointStoreContract, type CheckpointFixture } from './checkpoint-store.contract';
