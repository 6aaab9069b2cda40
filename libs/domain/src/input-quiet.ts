import type { CloudEvent } from './cloud-event';
import { StreamNames } from './streams';

/**
 * `aidwatch.input.quiet.v1`: an AIS source that reports over HTTP, UDP or TCP (an input without a Kafka
 * partition) has sent nothing to this intake for a quiet period after its last accepted report. Appended by
 * the intake that stored those reports (the API's `POST /events` and `POST /ais/nmea`, the UDP and TCP
 * listeners), once per quiet period. Detection reads it as the end of what that input has delivered so far: a
 * vessel whose track it replayed behind the input's clock has ended its run of reports and is judged on its
 * clock from then on (docs/time-model.md 7). It is the HTTP counterpart of the Kafka caught-up marker
 * (`aidwatch.partition.caught-up.v1`). It names no person and is published nowhere.
 */
export const INPUT_QUIET_TYPE = 'aidwatch.input.quiet.v1';

/** The CloudEvents `source` of the markers (never an input of detection). */
export const INPUT_QUIET_SOURCE = 'aidwatch/intake';

/**
 * `data` of `aidwatch.input.quiet.v1`.
 * - `source`: the input's CloudEvents `source` (`nmea:<station>` for raw NMEA);
 * - `at`: when the quiet period was over (RFC 3339, the intake's wall clock; for operators);
 * - `quietMs`: how long the source had then sent nothing (ms, the intake's wall clock).
 */
export interface InputQuietData {
  source: string;
  at: string;
  quietMs: number;
}

export type InputQuiet = CloudEvent<typeof INPUT_QUIET_TYPE, InputQuietData>;

/**
 * The marker of `source` fallen quiet at `atMs` (ms since the epoch) after `quietMs`: on the source's input
 * stream (`input-<source>`, beside its closes), under a fresh id (`quiet/<uuid>`: each marker is written once).
 */
export function inputQuietEvent(
  source: string,
  atMs: number,
  quietMs: number,
  id: string,
): { streamId: string; event: InputQuiet } {
  const at = new Date(atMs).toISOString();
  return {
    streamId: StreamNames.input(source),
    event: {
      specversion: '1.0',
      id: `quiet/${id}`,
      source: INPUT_QUIET_SOURCE,
      type: INPUT_QUIET_TYPE,
      subject: source,
      time: at,
      datacontenttype: 'application/json',
      data: { source, at, quietMs: Math.max(0, Math.round(quietMs)) },
    },
  };
}
