export * from './field-submissions';
export * from './kafka-message';
