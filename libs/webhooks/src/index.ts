export * from './webhook-store.port';
export { SqliteWebhookStore } from './sqlite-webhook-store';
export {
  PostgresWebhookStore,
  WEBHOOK_MIGRATIONS,
  type PostgresWebhookStoreOptions,
} from './postgres-webhook-store';
export { createWebhookStore } from './webhook-store.factory';
export * from './webhook-outbox';
export * from './webhook-dispatcher';
export * from './webhook-target';
export * from './webhook-outboxes';
