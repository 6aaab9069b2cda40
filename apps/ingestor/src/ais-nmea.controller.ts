import { Body, Controller, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import { ApiError } from '@aidwatch/runtime';
import { EventIntake } from '@aidwatch/intake';

/**
 * `POST /ais/nmea`: raw AIVDM/AIVDO sentences (text/plain, one per line, tag blocks allowed) for feeds that
 * only speak NMEA. Sentences without a tag-block time (`c:`) take the time of receipt.
 */
@Controller('ais/nmea')
export class AisNmeaController {
  constructor(private readonly intake: EventIntake) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async post(@Body() body: unknown, @Query('station') station?: string) {
    if (typeof body !== 'string' || body.trim() === '') {
      throw new ApiError(HttpStatus.BAD_REQUEST, 'send NMEA sentences as text/plain, one per line', [
        { field: 'body', message: 'empty or not text/plain' },
      ]);
    }
    const result = await this.intake.ingestNmeaText(body, Date.now(), station);
    if (!result.ok) {
      throw new ApiError(
        HttpStatus.BAD_REQUEST,
        'undecodable AIS sentences; nothing was accepted',
        result.errors,
      );
    }
    return { accepted: result.accepted };
  }
}
