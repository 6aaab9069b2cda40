export * from './delivery-lanes';
export * from './delivery-orders';
export * from './position-log';
export * from './programme';
export * from './run-delivery';
