import { Body, Controller, Headers, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { StoreTenantLookup, writeRefusal, type Principal } from '@aidwatch/access';
import { Allow, ApiError, CurrentPrincipal } from '@aidwatch/runtime';
import type { HttpHeaders } from '@aidwatch/domain';
import { EventIntake, type HttpIntakeResult } from '@aidwatch/intake';

/** `POST /events`: CloudEvents over HTTP, through the same intake path as Kafka. */
@Controller('events')
@Allow('producer', 'monitor')
export class EventsController {
  constructor(
    private readonly intake: EventIntake,
    private readonly tenants: StoreTenantLookup,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async post(
    @Headers() headers: HttpHeaders,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined;
    const result = await this.intake.ingestHttp(contentType, body, headers, (event) =>
      writeRefusal(principal, event, (id) => this.tenants.tenantOfConsignment(id)),
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
