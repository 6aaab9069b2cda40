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
