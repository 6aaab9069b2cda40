export * from './audit-story';
export * from './subject-key-store.contract';
