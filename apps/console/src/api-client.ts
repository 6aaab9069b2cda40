/** HTTP calls of the console, each with the signed-in key as a Bearer token. */
export class ApiClient {
  constructor(private readonly key: string) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.key}`, ...extra };
  }

  async get<T>(path: string): Promise<T> {
    const res = await fetch(path, { headers: this.headers() });
    if (!res.ok) throw new ApiCallError(res.status, await errorText(res));
    return (await res.json()) as T;
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(path, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new ApiCallError(res.status, await errorText(res));
    return (await res.json()) as T;
  }
}

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function errorText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: string; details?: Array<{ message?: string }> };
    return [body.error, ...(body.details ?? []).map((d) => d.message)].filter(Boolean).join(': ');
  } catch {
    return `HTTP ${res.status}`;
  }
}
