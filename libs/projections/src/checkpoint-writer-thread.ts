import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '@aidwatch/event-store';

/** A part's rows as the writer stores them: subject key, slot (0 or 1), value as JSON (null: the subject is gone). */
export type WriterRow = [key: string, slot: number, value: string | null];

/** What `CheckpointWriterThread` asks of its worker (`checkpoint-writer.worker.ts`). */
export type WriterRequest =
  | { id: number; op: 'rows'; name: string; generation: number; rows: WriterRow[] }
  | {
      id: number;
      op: 'commit';
      name: string;
      position: string;
      /** The checkpoints row's snapshot column (JSON). */
      head: string;
      /** ISO 8601. */
      at: string;
      /** Rows of generations before this one are dropped with the commit (a checkpoint that replaces all). */
      dropBefore: number | null;
    }
  | { id: number; op: 'walCheckpoint' };

export type WriterReply = { id: number; error?: string };

type Call = { resolve: () => void; reject: (error: Error) => void; done: Promise<void> };

/**
 * The writes of a SQLite checkpoint file on a worker thread of their own, with a connection of their own: the
 * rows of each part, the commit (under synchronous = FULL) and the WAL checkpoints past `walCheckpointBytes`.
 * Requests are answered in the order they were sent; `call` resolves when its request is committed, or rejects
 * with the worker's error (a worker that failed or exited rejects every request it held and is started again at
 * the next call). `idle` resolves once nothing is in flight: a write on another connection of the same file
 * made then does not wait for a lock. The worker keeps the process alive only while a request is in flight.
 */
export class CheckpointWriterThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly calls = new Map<number, Call>();

  constructor(
    private readonly file: string,
    private readonly walCheckpointBytes: number,
  ) {}

  /** Sends the request (without its id). Throws, within the call, when no worker thread can be started. */
  call(request: DistributiveOmit<WriterRequest, 'id'>): Promise<void> {
    const worker = this.start();
    const id = this.nextId++;
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.calls.set(id, { resolve, reject, done });
    if (this.calls.size === 1) worker.ref();
    worker.postMessage({ ...request, id } as WriterRequest);
    return done;
  }

  /** Resolves once every request sent so far is answered (however it ended). */
  async idle(): Promise<void> {
    while (this.calls.size > 0) await Promise.allSettled([...this.calls.values()].map((c) => c.done));
  }

  /** Waits for the requests in flight, then has the worker close its connection and exit. */
  async close(): Promise<void> {
    await this.idle();
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = startModuleWorker(__dirname, 'checkpoint-writer.worker', {
      workerData: { file: path.resolve(this.file), walCheckpointBytes: this.walCheckpointBytes },
    });
    worker.unref();
    worker.on('message', (reply: WriterReply) => {
      const call = this.calls.get(reply.id);
      if (!call) return;
      this.calls.delete(reply.id);
      if (this.calls.size === 0) worker.unref();
      if (reply.error === undefined) call.resolve();
      else call.reject(new Error(`Checkpoint write failed: ${reply.error}`));
    });
    const lost = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const calls = [...this.calls.values()];
      this.calls.clear();
      for (const call of calls) call.reject(error);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`The checkpoint writer stopped (exit ${code})`)));
    this.worker = worker;
    return worker;
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
