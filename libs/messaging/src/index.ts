export * from './dead-letter';
export * from './inbound-consumer';
export * from './kafka-client';
export * from './kafka-client.port';
export * from './kafka-publisher';
export * from './kafka.config';
export * from './topics';
export * from './partition-alignment';
