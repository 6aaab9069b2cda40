import type { CloudEvent } from './cloud-event';

/**
 * `aidwatch.partition.caught-up.v1`: the ingestor stored every record a Kafka partition held. Appended by the
 * ingestor that owns the partition once it has stored everything up to the partition's end offset (its high
 * watermark, asked of the broker) and no record has come since for a quiet period, then again — at doubling
 * intervals — while it stays so. Detection reads it as the end of what that lane (`<topic>/<partition>`) has
 * delivered so far: its inputs stop holding back the subjects they report, as one input in production order
 * would (docs/time-model.md 5, "The end of a delivery"). It names no person and is published nowhere.
 */
export const PARTITION_CAUGHT_UP_TYPE = 'aidwatch.partition.caught-up.v1';

/** The stream of a partition's caught-up markers: `partition-<topic>-<partition>`. */
export const PARTITION_STREAM_PREFIX = 'partition-';
export const partitionStreamOf = (topic: string, partition: number): string =>
  `${PARTITION_STREAM_PREFIX}${topic}-${partition}`;

/** The CloudEvents `source` of the markers (never an input of detection). */
export const PARTITION_CAUGHT_UP_SOURCE = 'aidwatch/ingestor';

/**
 * `data` of `aidwatch.partition.caught-up.v1`.
 * - `topic`, `partition`: the partition (the lane `<topic>/<partition>` of the events it carried);
 * - `endOffset`: the partition's end offset (the offset its next record will have, a decimal string as Kafka
 *   gives offsets) when the broker was asked; every record before it was stored before this marker;
 * - `at`: when the broker was asked (RFC 3339, the ingestor's wall clock; for operators);
 * - `quietMs`: how long the partition had then been stored to this end offset with no new record (ms, the
 *   ingestor's wall clock): detection takes a long quiet for a partition that stopped delivering
 *   (`DETECTION_INPUT_END_QUIET_MINUTES`).
 */
export interface PartitionCaughtUpData {
  topic: string;
  partition: number;
  endOffset: string;
  at: string;
  quietMs: number;
}

export type PartitionCaughtUp = CloudEvent<typeof PARTITION_CAUGHT_UP_TYPE, PartitionCaughtUpData>;

/** The lane (`<topic>/<partition>`) a marker is about. */
export const laneOfCaughtUp = (data: PartitionCaughtUpData): string => `${data.topic}/${data.partition}`;

/**
 * What the ingestor found: `topic`/`partition` stored to `endOffset` when the broker was asked at `atMs` (ms
 * since the epoch), quiet for `quietMs`; `nth` counts the markers of one end offset (the first, then each
 * repeat while the partition stays caught up).
 */
export interface CaughtUpMarker {
  topic: string;
  partition: number;
  endOffset: string;
  atMs: number;
  nth: number;
  quietMs: number;
}

/**
 * The marker event of `marker`: its id is `<topic>/<partition>@<endOffset>#<nth>`, so a marker written twice
 * (a retried append) is stored once.
 */
export function partitionCaughtUpEvent({
  topic,
  partition,
  endOffset,
  atMs,
  nth,
  quietMs,
}: CaughtUpMarker): PartitionCaughtUp {
  const at = new Date(atMs).toISOString();
  return {
    specversion: '1.0',
    id: `${topic}/${partition}@${endOffset}#${nth}`,
    source: PARTITION_CAUGHT_UP_SOURCE,
    type: PARTITION_CAUGHT_UP_TYPE,
    subject: `${topic}/${partition}`,
    time: at,
    datacontenttype: 'application/json',
    data: { topic, partition, endOffset, at, quietMs: Math.max(0, Math.round(quietMs)) },
  };
}
