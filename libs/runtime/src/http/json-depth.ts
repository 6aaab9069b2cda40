export { jsonDepthExceeds } from '@aidwatch/domain';
