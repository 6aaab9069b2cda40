export * from './field-submissions';
