import { Body, Controller, Headers, HttpCode, HttpStatus, Inject, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { batchWriteAuthorizer, StoreTenantLookup, typeRefusal, type Principal } from '@aidwatch/access';
import type { AppConfig } from '@aidwatch/config';
import {
  Allow,
  APP_CONFIG,
  ApiError,
  CurrentPrincipal,
  ApiCloudEventsIntake,
  ApiSummary,
  TenantEventLimiter,
} from '@aidwatch/runtime';
import { httpBodyEvents, type HttpHeaders } from '@aidwatch/domain';
import { EventIntake, type HttpIntakeResult } from '@aidwatch/intake';

/** `POST /events`: CloudEvents over HTTP, through the same intake path as Kafka. */
@Controller('events')
@Allow('producer', 'monitor')
export class EventsController {
  constructor(
    private readonly intake: EventIntake,
    private readonly tenants: StoreTenantLookup,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly limiter: TenantEventLimiter,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiSummary('CloudEvents intake: one event, a batch, or binary mode; validated and appended as from Kafka')
  @ApiCloudEventsIntake()
  async post(
    @Headers() headers: HttpHeaders,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const max = this.config.limits.batchEvents;
    const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined;
    // The events as the decoder will read them (binary mode — `ce-specversion` and no structured media type —
    // is one event, whatever its data; a body that is no JSON at all is refused whole, and counts one).
    const read = httpBodyEvents(contentType, body, headers);
    const events = read?.events ?? [undefined];
    if (!read?.binary && events.length > max)
      throw new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, 'batch too large; nothing was accepted', [
        {
          field: 'body',
          message: `a batch may hold at most ${max} events (LIMIT_BATCH_EVENTS); it has ${events.length}`,
        },
      ]);
    // An organisation's credentials together send at most LIMIT_TENANT_EVENTS events a window and
    // LIMIT_TENANT_ITEM_LINES lines (429; counted once decoded), and nothing once they hold LIMIT_TENANT_FLAGS
    // flags or LIMIT_TENANT_STORED_EVENTS (403).
    await this.limiter.admit(principal.tenant, events.length, res);
    // Refused by type first (403), before the events' `data` is validated: a credential that may not write
    // a type learns nothing of its shape.
    const refusals = this.typeRefusals(read, headers, principal);
    if (refusals.length > 0) throw intakeError({ ok: false, kind: 'forbidden', errors: refusals });
    // A batch may carry a registration with its follow-ups: later events see the earlier ones' tenants.
    const result = await this.intake.ingestHttp(
      contentType,
      body,
      headers,
      batchWriteAuthorizer(principal, this.tenants, {
        committeeSources: this.config.access.committeeSources,
      }),
      (decoded) => this.limiter.admitDecoded(principal.tenant, decoded, events.length, res),
    );
    if (!result.ok) throw intakeError(result);
    return { accepted: result.accepted };
  }

  /** The events of the request (structured, batch or binary mode) whose type this credential does not write. */
  private typeRefusals(
    read: ReturnType<typeof httpBodyEvents>,
    headers: HttpHeaders,
    principal: Principal,
  ): Extract<HttpIntakeResult, { ok: false }>['errors'] {
    // Judged on the events as the decoder reads them: a `ce-type` header on a structured batch is not binary mode.
    const events: unknown[] = read?.binary
      ? [{ type: headers['ce-type'], source: headers['ce-source'], id: headers['ce-id'] }]
      : (read?.events ?? []);
    const refusals: Extract<HttpIntakeResult, { ok: false }>['errors'] = [];
    events.forEach((event, index) => {
      const { type, source, id } = (event ?? {}) as { type?: unknown; source?: unknown; id?: unknown };
      if (typeof type !== 'string') return;
      const reason = typeRefusal(
        principal,
        type,
        typeof source === 'string' ? source : '',
        this.config.access.committeeSources,
      );
      if (reason)
        refusals.push({
          index,
          id: typeof id === 'string' ? id : '',
          reason,
          errors: [{ field: 'type', message: reason }],
        });
    });
    return refusals;
  }
}

/** The 4xx of a refused intake request: 400 invalid, 403 not this caller's to write, 409 id reused. */
export function intakeError(result: Extract<HttpIntakeResult, { ok: false }>): ApiError {
  const count = result.errors.length;
  const events = `${count} event${count === 1 ? '' : 's'}`;
  if (result.kind === 'forbidden')
    return new ApiError(
      HttpStatus.FORBIDDEN,
      `${events} may not be written with this credential; nothing was accepted`,
      result.errors,
    );
  if (result.kind === 'conflict')
    return new ApiError(
      HttpStatus.CONFLICT,
      `${result.errors.map((e) => e.id).join(', ')}: source + id already used with different content (stored, or earlier in this request); nothing was accepted`,
      result.errors,
    );
  const error = result.errors.some((e) => e.index < 0)
    ? 'invalid request body; nothing was accepted'
    : `${count} invalid event${count === 1 ? '' : 's'}; nothing was accepted`;
  return new ApiError(HttpStatus.BAD_REQUEST, error, result.errors);
}
