export * from './api-key-store.contract';
