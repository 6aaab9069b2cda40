import { Body, Controller, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import { StoreTenantLookup, writeRefusal, type Principal } from '@aidwatch/access';
import { Allow, ApiError, CurrentPrincipal } from '@aidwatch/runtime';
import { EventIntake } from '@aidwatch/intake';
import { intakeError } from './events.controller';

/**
 * `POST /ais/nmea`: raw AIVDM/AIVDO sentences (text/plain, one per line, tag blocks allowed) for feeds that
 * only speak NMEA. Sentences without a tag-block time (`c:`) take the time of receipt. The events carry
 * the source `nmea:<station>`, which the producer's credential must allow.
 */
@Controller('ais/nmea')
@Allow('producer')
export class AisNmeaController {
  constructor(
    private readonly intake: EventIntake,
    private readonly tenants: StoreTenantLookup,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async post(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Query('station') station?: string,
  ) {
    if (typeof body !== 'string' || body.trim() === '') {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'send NMEA sentences as text/plain, one per line', [
        { field: 'body', message: 'empty or not text/plain' },
      ]);
    }
    const result = await this.intake.ingestNmeaText(body, Date.now(), station, (event) =>
      writeRefusal(principal, event, (id) => this.tenants.tenantOfConsignment(id)),
    );
    if (!result.ok) {
      if (result.kind !== 'invalid') throw intakeError(result);
      throw new ApiError(
        HttpStatus.BAD_REQUEST,
        'undecodable AIS sentences; nothing was accepted',
        result.errors,
      );
    }
    return { accepted: result.accepted };
  }
}
