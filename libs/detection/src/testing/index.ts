export * from './delivery-lanes';
