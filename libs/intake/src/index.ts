export * from './event-intake';
export * from './nmea-intake';
export * from './field-submission';
export * from './field-submission-mapping';
