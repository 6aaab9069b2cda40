import { Body, Controller, HttpCode, HttpStatus, Inject, Post, Query } from '@nestjs/common';
import { sourceAllowed, StoreTenantLookup, writeRefusal, writesType, type Principal } from '@aidwatch/access';
import type { AppConfig } from '@aidwatch/config';
import {
  Allow,
  APP_CONFIG,
  ApiError,
  CurrentPrincipal,
  ApiJsonResponse,
  ApiSummary,
  ApiRequestBody,
} from '@aidwatch/runtime';
import { EventTypes, identifierProblem } from '@aidwatch/domain';
import { EventIntake } from '@aidwatch/intake';
import { intakeError } from './events.controller';
import { ApiQuery } from '@nestjs/swagger';

const lines = {
  type: 'array' as const,
  items: {
    type: 'object' as const,
    required: ['line', 'reason'],
    properties: {
      line: { type: 'integer' as const },
      reason: { type: 'string' as const },
      sentence: { type: 'string' as const },
    },
  },
};
/** The answer of `POST /ais/nmea`. */
const NmeaAnswerSchema = {
  type: 'object' as const,
  required: ['accepted', 'rejected', 'skipped', 'pending'],
  properties: {
    accepted: { type: 'array' as const, items: { type: 'string' as const } },
    rejected: lines,
    skipped: lines,
    pending: lines,
  },
};

/**
 * `POST /ais/nmea`: raw AIVDM/AIVDO sentences (text/plain, one per line, tag blocks allowed) for feeds that
 * only speak NMEA. Sentences without a tag-block time (`c:`) take the time of receipt. The events carry
 * the source `nmea:<station>`, which the producer's credential must allow. Line by line: 202 with the ids
 * stored and, each with its line number and reason, the lines `rejected` (undecodable), `skipped` (other
 * NMEA sentences, unused AIS types, a message another station already delivered) and `pending` (fragments
 * waiting for the rest of their message, which may come in a later request); 400 only when no line is usable.
 */
@Controller('ais/nmea')
@Allow('producer')
export class AisNmeaController {
  constructor(
    private readonly intake: EventIntake,
    private readonly tenants: StoreTenantLookup,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiSummary('A raw AIS receiver log (NMEA 0183 !AIVDM/!AIVDO, one sentence per line), read line by line')
  @ApiRequestBody({
    description: 'one NMEA sentence per line, tag blocks (s:, c:) allowed',
    content: {
      'text/plain': { schema: { type: 'string' } },
      'application/x-nmea': { schema: { type: 'string' } },
    },
  })
  @ApiQuery({
    name: 'station',
    required: false,
    description:
      'the receiving station: events carry the source nmea:<station>, which the credential must allow',
    schema: { type: 'string', maxLength: 64 },
  })
  @ApiJsonResponse(
    202,
    NmeaAnswerSchema,
    'the ids stored and, each with its line number and reason, the lines rejected, skipped and pending',
  )
  async post(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Query('station') station?: string,
  ) {
    const stationProblem = station === undefined ? undefined : identifierProblem(station, 64);
    if (stationProblem)
      throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid station', [
        { field: 'station', message: `station ${stationProblem}` },
      ]);
    // The station's source and the writer's kind (AIS is `feed` data: catalogue `writers`) are checked up
    // front too, so a refusal does not depend on what the log holds.
    const source = `nmea:${station ?? 'unknown'}`;
    if (principal.role === 'producer' && !sourceAllowed(principal.sources, source))
      throw new ApiError(HttpStatus.FORBIDDEN, 'forbidden', [
        { field: 'station', message: `source ${source} is not one this credential may write under` },
      ]);
    if (!writesType(principal, EventTypes.VesselPositionReported, source))
      throw new ApiError(HttpStatus.FORBIDDEN, 'forbidden', [
        {
          field: 'body',
          message: "AIS is the deployment's feed data: only a producer of no organisation writes it",
        },
      ]);
    if (typeof body !== 'string' || body.trim() === '') {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'send NMEA sentences as text/plain, one per line', [
        { field: 'body', message: 'empty or not text/plain' },
      ]);
    }
    const result = await this.intake.ingestNmeaText(body, Date.now(), station, (event) =>
      writeRefusal(principal, event, this.tenants, {
        committeeSources: this.config.access.committeeSources,
      }),
    );
    if (!result.ok) {
      if (result.kind !== 'invalid') throw intakeError(result);
      throw new ApiError(HttpStatus.BAD_REQUEST, 'no line of the body is usable AIS or NMEA', result.errors);
    }
    const { accepted, rejected, skipped, pending } = result;
    return { accepted, rejected, skipped, pending };
  }
}
