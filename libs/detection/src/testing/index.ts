export * from './delivery-lanes';
export * from './position-log';
export * from './programme';
