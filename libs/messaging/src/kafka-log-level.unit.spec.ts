import { logLevel } from 'kafkajs';
import { kafkaLogLevelOf } from './kafka-client';

describe('kafkajs log levels as AidWatch logs them', () => {
  it('a heartbeat answered "rebalancing" (a consumer group changing members) is info, not error', () => {
    // As kafkajs's Connection logs it when another ingestor joins the group.
    expect(
      kafkaLogLevelOf(logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)', {
        error: 'The group is rebalancing, so a rejoin is needed',
      }),
    ).toBe('info');
    expect(
      kafkaLogLevelOf(logLevel.ERROR, 'Response OffsetCommit(key: 8, version: 5)', {
        error: 'Specified group generation id is not valid',
      }),
    ).toBe('info');
    expect(kafkaLogLevelOf(logLevel.WARN, 'The group is rebalancing, re-joining', {})).toBe('info');
  });

  it('a member the coordinator no longer knows (it re-joins by itself) is warn', () => {
    expect(
      kafkaLogLevelOf(
        logLevel.ERROR,
        'The coordinator is not aware of this member, re-joining the group',
        {},
      ),
    ).toBe('warn');
  });

  it('conditions the client recovers from by itself are info or warn, never error', () => {
    const at = (message: string, error?: string) =>
      kafkaLogLevelOf(logLevel.ERROR, message, error === undefined ? {} : { error });
    expect(at('Response CreateTopics(key: 19, version: 3)', 'Topic with this name already exists')).toBe(
      'info',
    );
    expect(
      at(
        'Response Metadata(key: 3, version: 6)',
        'There is no leader for this topic-partition as we are in the middle of a leadership election',
      ),
    ).toBe('info');
    expect(at('Response Fetch(key: 1, version: 11)', 'This server does not host this topic-partition')).toBe(
      'warn',
    );
    expect(at('Connection error: connect ECONNREFUSED 127.0.0.1:19092')).toBe('warn');
    expect(at('Connection timeout')).toBe('warn');
    // Only kafkajs's error entries are lowered; a stopped consumer stays an error.
    expect(at('Crash: KafkaJSNonRetriableError', 'Connection error: connect ECONNREFUSED')).toBe('warn');
    expect(at('Crash: KafkaJSNumberOfRetriesExceeded', 'The group coordinator is not available')).toBe(
      'error',
    );
  });

  it('every other entry keeps the level kafkajs gave it', () => {
    expect(kafkaLogLevelOf(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded', { error: 'x' })).toBe(
      'error',
    );
    expect(kafkaLogLevelOf(logLevel.ERROR, 'Response Metadata(key: 3, version: 6)', {})).toBe('error');
    expect(kafkaLogLevelOf(logLevel.WARN, 'Consumer group received unsubscribed topics')).toBe('warn');
    expect(kafkaLogLevelOf(logLevel.INFO, 'Consumer has joined the group')).toBe('info');
    expect(kafkaLogLevelOf(logLevel.DEBUG, 'Response Heartbeat(key: 12, version: 3)')).toBe('debug');
  });
});
