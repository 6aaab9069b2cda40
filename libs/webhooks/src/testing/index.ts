export * from './webhook-store.contract';
