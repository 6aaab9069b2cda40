export interface SseFrame {
  id?: string;
  event?: string;
  data: string;
}

/** A minimal Server-Sent Events reader over fetch, for tests: collects frames until closed. */
export class SseClient {
  readonly frames: SseFrame[] = [];
  private readonly controller = new AbortController();
  private done: Promise<void> | undefined;
  status = 0;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async open(): Promise<void> {
    const res = await fetch(this.url, { headers: this.headers, signal: this.controller.signal });
    this.status = res.status;
    if (!res.body) throw new Error('SSE response has no body');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    this.done = (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const frame = parseFrame(block);
            if (frame) this.frames.push(frame);
          }
        }
      } catch (error) {
        if ((error as Error).name !== 'AbortError') throw error;
      }
    })();
  }

  async waitFor(predicate: (frames: SseFrame[]) => boolean, timeoutMs = 20_000): Promise<SseFrame[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.frames)) {
      if (Date.now() > deadline) throw new Error(`SSE condition not met; got ${this.frames.length} frames`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.frames;
  }

  /** Resolves when the server ends the stream (undefined before `open`). */
  get ended(): Promise<void> | undefined {
    return this.done;
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.done?.catch(() => undefined);
  }
}

function parseFrame(block: string): SseFrame | undefined {
  const frame: SseFrame = { data: '' };
  let hasData = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') frame.id = value;
    else if (field === 'event') frame.event = value;
    else if (field === 'data') {
      frame.data += (hasData ? '\n' : '') + value;
      hasData = true;
    }
  }
  return hasData ? frame : undefined;
}
