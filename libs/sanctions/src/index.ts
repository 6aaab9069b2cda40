export * from './sanctions-list';
export * from './ofac-sdn-csv';
export * from './ofac-sdn-xml';
export * from './un-consolidated-xml';
export * from './read-sanctions-file';
export * from './designation-import';
export * from './read-sanctions-file-off-thread';
