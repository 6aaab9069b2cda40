import { Controller, HttpCode, HttpStatus, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { EVENT_STORE, type EventStore } from '@aidwatch/event-store';
import { EventIntake, importSanctionsList, SanctionsImportError } from '@aidwatch/intake';
import { SanctionsFormats } from '@aidwatch/sanctions';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  Allow,
  ApiError,
  ApiErrors,
  ApiJsonResponse,
  ApiRequestBody,
  ApiSummary,
  readSanctionsBody,
  sanctionsMediaTypes,
} from '@aidwatch/runtime';

/** The media types a list file may be posted as. */
export const SanctionsMediaTypes = sanctionsMediaTypes;

const flag = (value: string | undefined, name: string): boolean => {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ApiError(HttpStatus.BAD_REQUEST, `invalid ${name}`, [
    { field: name, message: `${name} must be true or false` },
  ]);
};

/** Whether the bytes are only ASCII whitespace (or none); stops at the first other byte. */
function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes)
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  return true;
}

/**
 * `POST /sanctions/import` (role `operator`): the body is a sanctions list file as published — OFAC
 * `SDN.CSV` (`text/csv`), OFAC `SDN.XML` or the UN Security Council Consolidated List XML
 * (`application/xml`), at most 48 MiB. Same as `aidwatch sanctions import`: new listings designated,
 * changed ones designated again, listings the file no longer holds revoked; an unchanged list appends
 * nothing. Query: `format` (else detected), `dryRun=true`, `allowEmpty=true`. 200 with the import report;
 * 400 for a body that is not a list in a known format; 409 when an event id is stored with other content;
 * 422 for a list without vessels that would revoke every listing of that list (unless `allowEmpty=true`).
 */
@ApiTags('Reference data')
@ApiBearerAuth()
@Controller('sanctions/import')
@Allow('operator')
export class SanctionsController {
  constructor(
    private readonly intake: EventIntake,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiSummary(
    'Import a sanctions list file as published (OFAC SDN.CSV, OFAC SDN.XML, UN Consolidated List XML): designations and revocations',
  )
  @ApiRequestBody({
    description: 'the list file, at most 48 MiB',
    content: Object.fromEntries(SanctionsMediaTypes.map((type) => [type, { schema: { type: 'string' } }])),
  })
  @ApiErrors({
    '409': 'an event id the import would append is stored with other content',
    '413': 'a file over 48 MiB',
    '429': 'another list is being imported (Retry-After)',
    '422': 'a list without vessels, which would revoke every listing of that list (unless allowEmpty=true)',
  })
  @ApiQuery({ name: 'format', required: false, enum: [...SanctionsFormats] })
  @ApiQuery({ name: 'dryRun', required: false, enum: ['true', 'false'] })
  @ApiQuery({ name: 'allowEmpty', required: false, enum: ['true', 'false'] })
  @ApiJsonResponse(
    200,
    { type: 'object', additionalProperties: true },
    'the import report: listings designated, designated again, revoked and unchanged, and what was skipped',
  )
  async import(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Query('format') format?: string,
    @Query('dryRun') dryRun?: string,
    @Query('allowEmpty') allowEmpty?: string,
  ) {
    if (format !== undefined && !(SanctionsFormats as readonly string[]).includes(format))
      throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid format', [
        { field: 'format', message: `format must be one of ${SanctionsFormats.join(', ')}` },
      ]);
    const options = { format, dryRun: flag(dryRun, 'dryRun'), allowEmpty: flag(allowEmpty, 'allowEmpty') };
    // One list at a time per process: each holds up to 48 MiB and a parse of seconds on a worker thread.
    if (this.importing) {
      res.setHeader('Retry-After', '10');
      throw new ApiError(
        HttpStatus.TOO_MANY_REQUESTS,
        'a sanctions list is being imported; try again when it is done',
        [{ field: 'body', message: 'one sanctions import at a time' }],
      );
    }
    this.importing = true;
    try {
      return await this.importBody(req, options);
    } finally {
      this.importing = false;
    }
  }

  private importing = false;

  private async importBody(req: Request, options: { format?: string; dryRun: boolean; allowEmpty: boolean }) {
    // Read only now, the caller being an operator: nobody else makes the service hold a list's bytes.
    const body = await readSanctionsBody(req);
    if (body === undefined || isBlank(body))
      throw new ApiError(HttpStatus.BAD_REQUEST, 'send the list file as text/csv or application/xml', [
        { field: 'body', message: `empty or not one of ${SanctionsMediaTypes.join(', ')}` },
      ]);
    try {
      return await importSanctionsList(this.store, this.intake, body, options);
    } catch (error) {
      if (!(error instanceof SanctionsImportError)) throw error;
      const status =
        error.kind === 'invalid'
          ? HttpStatus.BAD_REQUEST
          : error.kind === 'empty'
            ? HttpStatus.UNPROCESSABLE_ENTITY
            : HttpStatus.CONFLICT;
      throw new ApiError(status, error.message, [
        ...error.errors.flatMap((e) => e.errors),
        ...(error.errors.length === 0 ? [{ field: 'body', message: error.message }] : []),
      ]);
    }
  }
}
