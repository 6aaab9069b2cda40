export * from './event-intake';
export * from './nmea-intake';
