import {
  Body,
  Controller,
  Delete,
  Get,
  HttpStatus,
  Inject,
  Param,
  Post,
  Req,
  UsePipes,
} from '@nestjs/common';
import type { AppConfig } from '@aidwatch/config';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { textProblem } from '@aidwatch/domain';
import {
  InvalidMatcherError,
  MaxNoteLength,
  InvalidSilenceError,
  silenceState,
  type Matcher,
  type Silence,
} from '@aidwatch/alerts';
import {
  Allow,
  APP_CONFIG,
  ApiError,
  ApiErrors,
  queryValidationPipe,
  ApiJsonResponse,
} from '@aidwatch/runtime';
import { SilenceBody } from './alert.dto';
import { AlertsService, SilenceQuotaExceededError, UnknownSilenceError } from './alerts.service';
import { callerOf } from '../caller/principal';
import { TenancyService } from '../caller/tenancy.service';
import { SilenceSchema, SilencesSchema } from '../shared/api-schemas';

/** Silences: mute notifications of the alerts their matchers select, until they expire. */
@ApiTags('Alerts')
@ApiBearerAuth()
@Controller('silences')
@Allow('dashboard', 'operator')
@UsePipes(queryValidationPipe)
export class SilencesController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly tenancy: TenancyService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Silences with their state (pending, active, expired)' })
  @ApiJsonResponse(200, SilencesSchema, 'silences the caller owns, with their state')
  list(@Req() req: Request) {
    const now = new Date().toISOString();
    const caller = callerOf(req);
    return {
      items: this.alerts.book
        .allSilences()
        .filter((s) => this.tenancy.owns(caller, s.tenant))
        .map((s) => this.view(s, now)),
    };
  }

  @Post()
  @ApiOperation({ summary: 'Create a silence: matchers (all must match), endsAt, comment' })
  @ApiJsonResponse(201, SilenceSchema, 'the silence, with its state')
  @ApiErrors({ '409': 'the organisation already holds LIMIT_SILENCES_PER_TENANT unexpired silences' })
  async create(@Req() req: Request, @Body() body: SilenceBody) {
    const principal = callerOf(req);
    // The comment is free text as notes and comments are: no control, separator or tag characters.
    const commentProblem = textProblem(body.comment, MaxNoteLength);
    if (commentProblem)
      throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid silence', [
        { field: 'comment', message: `comment ${commentProblem}` },
      ]);
    const now = new Date().toISOString();
    const limit = this.config.limits.silencesPerTenant;
    const held = this.alerts.book
      .allSilences()
      .filter((s) => s.tenant === principal.tenant && silenceState(s, now) !== 'expired').length;
    const tooMany = () =>
      new ApiError(
        HttpStatus.CONFLICT,
        `at most ${limit} unexpired silences per organisation (LIMIT_SILENCES_PER_TENANT); expire one first`,
      );
    // A first look at this process's book; the count that holds under concurrency is the reservation's.
    if (held >= limit) throw tooMany();
    // A tenant's silence only ever covers its own organisation's alerts.
    const matchers: Matcher[] = body.matchers.map((m) => ({ ...m }) as Matcher);
    if (principal.tenant) matchers.push({ name: 'organisation', value: principal.tenant });
    try {
      const silence = await this.alerts.createSilence(
        {
          matchers,
          startsAt: body.startsAt,
          endsAt: body.endsAt,
          comment: body.comment,
          createdBy: principal.id,
          tenant: principal.tenant,
        },
        now,
      );
      return this.view(silence, now);
    } catch (error) {
      if (error instanceof InvalidSilenceError || error instanceof InvalidMatcherError)
        throw new ApiError(HttpStatus.BAD_REQUEST, error.message);
      if (error instanceof SilenceQuotaExceededError) throw tooMany();
      throw error;
    }
  }

  @Delete(':silenceId')
  @ApiOperation({ summary: 'Expire a silence now' })
  @ApiJsonResponse(200, SilenceSchema, 'the silence, expired')
  async expire(@Req() req: Request, @Param('silenceId') silenceId: string) {
    const principal = callerOf(req);
    const silence = this.alerts.book.silence(silenceId);
    if (!silence || !this.tenancy.owns(principal, silence.tenant))
      throw new ApiError(HttpStatus.NOT_FOUND, `silence ${silenceId} not found`);
    const now = new Date().toISOString();
    try {
      return this.view(await this.alerts.expireSilence(silenceId, principal.id, now), now);
    } catch (error) {
      if (error instanceof UnknownSilenceError) throw new ApiError(HttpStatus.NOT_FOUND, error.message);
      throw error;
    }
  }

  private view(s: Silence, now: string) {
    return { ...s, state: silenceState(s, now) };
  }
}
