import { Body, Controller, Headers, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiError } from '@aidwatch/runtime';
import type { HttpHeaders } from '@aidwatch/domain';
import { EventIntake } from '@aidwatch/intake';

/** `POST /events`: CloudEvents over HTTP, through the same intake path as Kafka. */
@Controller('events')
export class EventsController {
  constructor(private readonly intake: EventIntake) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async post(@Headers() headers: HttpHeaders, @Body() body: unknown) {
    const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined;
    const result = await this.intake.ingestHttp(contentType, body, headers);
    if (!result.ok) {
      const count = result.errors.length;
      const error = result.errors.some((e) => e.index < 0)
        ? 'invalid request body; nothing was accepted'
        : `${count} invalid event${count === 1 ? '' : 's'}; nothing was accepted`;
      throw new ApiError(HttpStatus.BAD_REQUEST, error, result.errors);
    }
    return { accepted: result.accepted };
  }
}
