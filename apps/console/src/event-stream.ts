import type { ApiClient } from './api-client.js';

export interface StreamEvent {
  id: string;
  type: string;
  data: unknown;
}

/**
 * Server-Sent Events over fetch (EventSource cannot send an Authorization header). Remembers the last
 * event id and resumes after it with `Last-Event-ID`, so a dropped connection loses and repeats nothing.
 */
export class AlertEventStream {
  lastEventId: string | undefined;
  private controller: AbortController | undefined;
  private retryTimer: number | undefined;
  state: 'connecting' | 'live' | 'disconnected' = 'disconnected';

  constructor(
    private readonly api: ApiClient,
    private readonly query: () => string,
    private readonly onEvent: (e: StreamEvent) => void,
    private readonly onState: (state: AlertEventStream['state']) => void,
  ) {}

  connect(): void {
    this.disconnect();
    const controller = new AbortController();
    this.controller = controller;
    this.setState('connecting');
    void this.run(controller)
      .catch(() => undefined)
      .finally(() => {
        if (this.controller !== controller) return;
        this.setState('disconnected');
        this.retryTimer = window.setTimeout(() => this.connect(), 3000);
      });
  }

  /** Closes the connection (no automatic reconnect until `connect`). */
  disconnect(): void {
    window.clearTimeout(this.retryTimer);
    const c = this.controller;
    this.controller = undefined;
    c?.abort();
    this.setState('disconnected');
  }

  private async run(controller: AbortController): Promise<void> {
    const headers = this.api.headers(this.lastEventId ? { 'last-event-id': this.lastEventId } : {});
    const res = await fetch(`/alerts/stream${this.query()}`, { headers, signal: controller.signal });
    if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
    this.setState('live');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const frame = parse(block);
        if (frame && this.controller === controller) {
          this.lastEventId = frame.id;
          this.onEvent(frame);
        }
      }
    }
  }

  private setState(state: AlertEventStream['state']): void {
    this.state = state;
    this.onState(state);
  }
}

function parse(block: string): StreamEvent | undefined {
  let id = '';
  let type = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  }
  if (!id || data.length === 0) return undefined;
  try {
    return { id, type, data: JSON.parse(data.join('\n')) as unknown };
  } catch {
    return undefined;
  }
}
