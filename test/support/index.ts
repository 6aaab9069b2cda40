export * from './aidwatch-process';
export * from './container-runtime';
export * from './kafka-broker';
export * from './sse-client';
export * from './stories';
export * from './engine-feed';
export * from './arrival-order';
export * from './until';
