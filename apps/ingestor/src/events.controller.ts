import { Body, Controller, Headers, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { batchWriteAuthorizer, StoreTenantLookup, type Principal } from '@aidwatch/access';
import type { AppConfig } from '@aidwatch/config';
import {
  Allow,
  APP_CONFIG,
  ApiError,
  CurrentPrincipal,
  ApiCloudEventsIntake,
  ApiSummary,
} from '@aidwatch/runtime';
import type { HttpHeaders } from '@aidwatch/domain';
import { EventIntake, type HttpIntakeResult } from '@aidwatch/intake';

/** `POST /events`: CloudEvents over HTTP, through the same intake path as Kafka. */
@Controller('events')
@Allow('producer', 'monitor')
export class EventsController {
  constructor(
    private readonly intake: EventIntake,
    private readonly tenants: StoreTenantLookup,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiSummary('CloudEvents intake: one event, a batch, or binary mode; validated and appended as from Kafka')
  @ApiCloudEventsIntake()
  async post(
    @Headers() headers: HttpHeaders,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const max = this.config.limits.batchEvents;
    if (Array.isArray(body) && body.length > max)
      throw new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, 'batch too large; nothing was accepted', [
        {
          field: 'body',
          message: `a batch may hold at most ${max} events (LIMIT_BATCH_EVENTS); it has ${body.length}`,
        },
      ]);
    const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined;
    // A batch may carry a registration with its follow-ups: later events see the earlier ones' tenants.
    const result = await this.intake.ingestHttp(
      contentType,
      body,
      headers,
      batchWriteAuthorizer(principal, this.tenants, {
        committeeSources: this.config.access.committeeSources,
      }),
    );
    if (!result.ok) throw intakeError(result);
    return { accepted: result.accepted };
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
      `${result.errors.map((e) => e.id).join(', ')}: already stored with different content; nothing was accepted`,
      result.errors,
    );
  const error = result.errors.some((e) => e.index < 0)
    ? 'invalid request body; nothing was accepted'
    : `${count} invalid event${count === 1 ? '' : 's'}; nothing was accepted`;
  return new ApiError(HttpStatus.BAD_REQUEST, error, result.errors);
}
