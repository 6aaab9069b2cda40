import * as fs from 'node:fs';
import { Body, Controller, HttpCode, HttpStatus, Inject, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { monitorSourceNamespace, StoreTenantLookup, writeRefusal, type Principal } from '@aidwatch/access';
import type { AppConfig } from '@aidwatch/config';
import { EventIntake, fieldFormMapping, type FieldFormMapping, type FieldTool } from '@aidwatch/intake';
import {
  Allow,
  ApiError,
  APP_CONFIG,
  CurrentPrincipal,
  AcceptedSchema,
  ApiJsonResponse,
  ApiSummary,
  TenantEventLimiter,
} from '@aidwatch/runtime';
import { intakeError } from './events.controller';
import { ApiBody, ApiResponse } from '@nestjs/swagger';

/**
 * `POST /intake/kobo` (KoboToolbox REST Services) and `POST /intake/odk` (ODK Central submission JSON):
 * end-use verification submissions from monitors (docs/field-intake.md). 202 `{accepted:[id]}`, also for a
 * repeat; 422 with the reasons and nothing stored when a submission does not map to a verification event.
 */
@Controller('intake')
@Allow('monitor')
export class FieldIntakeController {
  private readonly mapping: FieldFormMapping;
  private readonly committeeSources: readonly string[];

  constructor(
    private readonly intake: EventIntake,
    private readonly tenants: StoreTenantLookup,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly limiter: TenantEventLimiter,
  ) {
    this.committeeSources = config.access.committeeSources;
    const file = config.intake.fieldMappingFile;
    const overrides = file ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<FieldFormMapping>) : {};
    this.mapping = fieldFormMapping({ utcOffset: config.intake.fieldFormUtcOffset, ...overrides });
  }

  @Post('kobo')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiSummary(
    'A KoboToolbox submission (REST Services) of an end-use verification form (docs/field-intake.md)',
  )
  @ApiBody({
    required: true,
    schema: { type: 'object', description: 'the submission JSON as KoboToolbox posts it' },
  })
  @ApiJsonResponse(202, AcceptedSchema, 'the verification event stored (also for a repeat)')
  @ApiResponse({
    status: 422,
    description: 'a form field cannot be mapped; nothing stored',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  })
  async kobo(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    // One submission is one event of the monitor's organisation (LIMIT_TENANT_EVENTS).
    await this.limiter.admit(principal.tenant, 1, res);
    return this.submit('kobo', body, principal, res);
  }

  @Post('odk')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiSummary('An ODK Central submission (JSON) of an end-use verification form (docs/field-intake.md)')
  @ApiBody({
    required: true,
    schema: { type: 'object', description: 'the submission JSON as ODK Central sends it' },
  })
  @ApiJsonResponse(202, AcceptedSchema, 'the verification event stored (also for a repeat)')
  @ApiResponse({
    status: 422,
    description: 'a form field cannot be mapped; nothing stored',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  })
  async odk(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    // One submission is one event of the monitor's organisation (LIMIT_TENANT_EVENTS).
    await this.limiter.admit(principal.tenant, 1, res);
    return this.submit('odk', body, principal, res);
  }

  private async submit(tool: FieldTool, body: unknown, principal: Principal, res: Response) {
    // The source is AidWatch's: the field tool's, under the monitor's organisation namespace (a monitor
    // always has an organisation), so one organisation's submission ids never collide with another's.
    const namespace =
      principal.tenant === undefined ? undefined : monitorSourceNamespace(principal.tenant)[0];
    const result = await this.intake.ingestFieldSubmission(
      tool,
      body,
      this.mapping,
      (event) =>
        writeRefusal(principal, event, this.tenants, {
          sourceChosenByAidwatch: true,
          committeeSources: this.committeeSources,
        }),
      namespace,
      // The form's lines (observed quantities…) count like any event's (LIMIT_TENANT_ITEM_LINES).
      (events) => this.limiter.admitDecoded(principal.tenant, events, 1, res),
    );
    if (result.ok) return { accepted: result.accepted };
    if (result.kind !== 'unmappable') throw intakeError(result);
    throw new ApiError(
      HttpStatus.UNPROCESSABLE_ENTITY,
      result.errors[0].reason + '; nothing was stored',
      result.errors[0].errors,
    );
  }
}
