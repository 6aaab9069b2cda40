import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Post, UsePipes } from '@nestjs/common';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { StoreTenantLookup, type ApiKeyStore, type Principal } from '@aidwatch/access';
import {
  identifierProblem,
  OWNERSHIP_SOURCE,
  OwnershipEventTypes,
  OwnershipStreams,
  ownershipStreamOf,
  overlappingClaim,
  textProblem,
  type OwnershipTransfer,
  type OwnershipTransferred,
  type OwnershipTransferredData,
  type PrefixClaimed,
} from '@aidwatch/domain';
import { EVENT_STORE, WrongExpectedRevisionError, type EventStore } from '@aidwatch/event-store';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  Allow,
  API_KEY_STORE,
  ApiError,
  ApiErrors,
  ApiJsonBodyFrom,
  ApiJsonResponse,
  ApiSummary,
  CurrentPrincipal,
  queryValidationPipe,
} from '@aidwatch/runtime';
import { ReadModelService } from '../caller/read-model.service';

/** Longest id and reason of a transfer request, characters (the contract's identifier and comment limits). */
const ID_LENGTH = 256;
const REASON_LENGTH = 4000;

export class TransferBody {
  @IsOptional()
  @IsString()
  @MaxLength(ID_LENGTH)
  exemptionId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(ID_LENGTH)
  toOrg?: string;

  @IsOptional()
  @IsString()
  @MaxLength(ID_LENGTH)
  consignmentId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(ID_LENGTH)
  toExemptionId?: string;

  @IsString()
  @MaxLength(REASON_LENGTH)
  reason!: string;

  /** Move an exemption to an organisation AidWatch does not know (no credential or exemption names it). */
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

/**
 * Ownership transfers (contract "Access", ownership): the only way an exemption moves to another
 * organisation or a consignment to another exemption. `POST /admin/ownership/transfers`, role `operator`:
 * - `{exemptionId, toOrg, reason, force?}` moves an exemption (and so its consignments) to organisation
 *   `toOrg`, which must be known: the tenant of an API key, or the organisation of an exemption. An
 *   unknown one (most often a misspelling, which would leave the exemption to nobody) is a 404 unless
 *   `force: true` (then stored with `forced: true`);
 * - `{consignmentId, toExemptionId, reason}` moves a consignment to another (known) exemption.
 * 201 with the `aidwatch.ownership.transferred.v1` event stored in `ownership-<kind>-<id>` (who: the
 * operator's subject, when, why: the audit trail). 400 for a malformed request or a transfer to the
 * current owner, 404 when the exemption or consignment is unknown, 409 when a concurrent transfer won.
 */
@ApiTags('Administration')
@ApiBearerAuth()
@Controller('admin/ownership/transfers')
@Allow('operator')
@UsePipes(queryValidationPipe)
export class OwnershipController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly owners: StoreTenantLookup,
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
    private readonly readModel: ReadModelService,
  ) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiSummary(
    'Move an exemption to another organisation, or a consignment to another exemption (audited: who, when, why)',
  )
  @ApiJsonBodyFrom(TransferBody)
  @ApiErrors({
    '404':
      'the exemption or consignment (or the target exemption) is unknown, or the target organisation is (without force)',
    '409': 'a concurrent transfer of the same subject was stored first',
  })
  @ApiJsonResponse(
    201,
    { type: 'object', additionalProperties: true },
    'the aidwatch.ownership.transferred.v1 event stored',
  )
  async transfer(@Body() body: TransferBody, @CurrentPrincipal() principal: Principal) {
    const transfer = await this.transferOf(body);
    const streamId = ownershipStreamOf(transfer);
    const transfers = await this.store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    const at = new Date().toISOString();
    const forced = transfer.kind === 'exemption' && !(await this.knowsOrganisation(transfer.toOrg));
    const data: OwnershipTransferredData = {
      ...transfer,
      by: principal.subject,
      at,
      reason: body.reason,
      ...(forced ? { forced: true } : {}),
    };
    const id = randomUUID();
    const event: OwnershipTransferred = {
      specversion: '1.0',
      id,
      source: OWNERSHIP_SOURCE,
      type: OwnershipEventTypes.Transferred,
      subject: transfer.kind === 'exemption' ? transfer.exemptionId : transfer.consignmentId,
      time: at,
      datacontenttype: 'application/json',
      data,
    };
    try {
      await this.store.append(
        streamId,
        [{ id, type: event.type, data: event, metadata: { causation: 'ownership-transfer' } }],
        transfers.length === 0 ? 'no_stream' : transfers[0].revision,
      );
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError)
        throw new ApiError(
          HttpStatus.CONFLICT,
          'another transfer of the same subject was stored first; retry',
        );
      throw error;
    }
    return event;
  }

  /** Whether an API key (revoked or not) names `organisation` as its tenant, or an exemption belongs to it. */
  private async knowsOrganisation(organisation: string): Promise<boolean> {
    return knowsOrganisation(this.readModel, this.keys, organisation);
  }

  private async transferOf(body: TransferBody): Promise<OwnershipTransfer> {
    const problems: Array<{ field: string; message: string }> = [];
    const reasonProblem =
      body.reason.trim() === '' ? 'must not be empty' : textProblem(body.reason, REASON_LENGTH);
    if (reasonProblem) problems.push({ field: 'reason', message: `reason ${reasonProblem}` });
    const exemption = body.exemptionId !== undefined || body.toOrg !== undefined;
    const consignment = body.consignmentId !== undefined || body.toExemptionId !== undefined;
    if (exemption === consignment)
      problems.push({
        field: 'body',
        message: 'give either {exemptionId, toOrg} or {consignmentId, toExemptionId}',
      });
    const fields = exemption
      ? ([
          ['exemptionId', body.exemptionId],
          ['toOrg', body.toOrg],
        ] as const)
      : ([
          ['consignmentId', body.consignmentId],
          ['toExemptionId', body.toExemptionId],
        ] as const);
    for (const [field, value] of fields) {
      const problem = value === undefined ? 'is required' : identifierProblem(value, ID_LENGTH);
      if (problem) problems.push({ field, message: `${field} ${problem}` });
    }
    if (problems.length > 0) throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid transfer', problems);
    if (exemption) {
      const [exemptionId, toOrg] = [body.exemptionId!, body.toOrg!];
      const fromOrg = await this.owners.organisationOfExemption(exemptionId);
      if (fromOrg === undefined)
        throw new ApiError(HttpStatus.NOT_FOUND, `exemption ${exemptionId} not found`);
      if (fromOrg === toOrg)
        throw new ApiError(HttpStatus.BAD_REQUEST, `exemption ${exemptionId} already belongs to ${toOrg}`);
      if (body.force !== true && !(await this.knowsOrganisation(toOrg)))
        throw new ApiError(HttpStatus.NOT_FOUND, `organisation ${JSON.stringify(toOrg)} is not known`, [
          {
            field: 'toOrg',
            message:
              'no API key names it as tenant and no exemption as implementing organisation; send "force": true to transfer to it anyway',
          },
        ]);
      return { kind: 'exemption', exemptionId, fromOrg, toOrg };
    }
    const [consignmentId, toExemptionId] = [body.consignmentId!, body.toExemptionId!];
    const fromExemptionId = await this.owners.exemptionOfConsignment(consignmentId);
    if (fromExemptionId === undefined)
      throw new ApiError(HttpStatus.NOT_FOUND, `consignment ${consignmentId} not found`);
    if ((await this.owners.organisationOfExemption(toExemptionId)) === undefined)
      throw new ApiError(HttpStatus.NOT_FOUND, `exemption ${toExemptionId} not found`);
    if (fromExemptionId === toExemptionId)
      throw new ApiError(
        HttpStatus.BAD_REQUEST,
        `consignment ${consignmentId} is already under exemption ${toExemptionId}`,
      );
    return { kind: 'consignment', consignmentId, fromExemptionId, toExemptionId };
  }
}

export class PrefixClaimBody {
  @IsString()
  @MaxLength(ID_LENGTH)
  org!: string;

  @IsString()
  @MaxLength(ID_LENGTH)
  prefix!: string;

  @IsString()
  @MaxLength(REASON_LENGTH)
  reason!: string;

  /** Claim for an organisation AidWatch does not know (no credential or exemption names it). */
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

/**
 * Consignment id namespaces (contract "Access", ownership): the issuing-company prefix of WCO's Unique
 * Consignment Reference / ISO 15459, claimed for one organisation by an operator. Once claimed, only that
 * organisation registers consignment ids starting with the prefix (producers of another organisation are
 * refused by the id's shape alone, in the words of every other refusal; a relay's or Kafka's registration
 * under another organisation's exemption is refused too); ids in no claimed namespace stay first-come.
 * `POST /admin/ownership/prefixes` {org, prefix, reason, force?} (role `operator`): 201 with the stored
 * `aidwatch.ownership.prefix-claimed.v1` (stream `ownership-prefixes`; who, when, why); 400 malformed or
 * already claimed by that organisation; 404 an unknown organisation (without `force`); 409 when the prefix
 * overlaps (equals, encloses or lies inside) another organisation's claim, when consignments of other
 * organisations already lie under it, or when a concurrent claim was stored first.
 * `GET /admin/ownership/prefixes`: `{items: [{org, prefix, by, at, reason}]}` in the order claimed.
 */
@ApiTags('Administration')
@ApiBearerAuth()
@Controller('admin/ownership/prefixes')
@Allow('operator')
@UsePipes(queryValidationPipe)
export class OwnershipPrefixesController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly owners: StoreTenantLookup,
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
    private readonly readModel: ReadModelService,
  ) {}

  @Get()
  @ApiSummary('Claimed consignment id namespaces, in the order claimed')
  @ApiJsonResponse(
    200,
    { type: 'object', properties: { items: { type: 'array', items: { type: 'object' } } } },
    'every claim: org, prefix, by, at, reason',
  )
  async list() {
    const stored = await this.store.readStream(OwnershipStreams.prefixes);
    return {
      items: stored
        .map((e) => e.data as PrefixClaimed)
        .filter((e) => e.type === OwnershipEventTypes.PrefixClaimed)
        .map(({ data: { org, prefix, by, at, reason } }) => ({ org, prefix, by, at, reason })),
    };
  }

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiSummary('Claim a consignment id prefix for an organisation (audited: who, when, why)')
  @ApiJsonBodyFrom(PrefixClaimBody)
  @ApiErrors({
    '404': 'the organisation is unknown (without force)',
    '409': "the prefix overlaps another organisation's claim or consignments, or a concurrent claim won",
  })
  @ApiJsonResponse(
    201,
    { type: 'object', additionalProperties: true },
    'the aidwatch.ownership.prefix-claimed.v1 event stored',
  )
  async claim(@Body() body: PrefixClaimBody, @CurrentPrincipal() principal: Principal) {
    const problems: Array<{ field: string; message: string }> = [];
    for (const field of ['org', 'prefix'] as const) {
      const problem = identifierProblem(body[field], ID_LENGTH);
      if (problem) problems.push({ field, message: `${field} ${problem}` });
    }
    const reasonProblem =
      body.reason.trim() === '' ? 'must not be empty' : textProblem(body.reason, REASON_LENGTH);
    if (reasonProblem) problems.push({ field: 'reason', message: `reason ${reasonProblem}` });
    if (problems.length > 0) throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid prefix claim', problems);
    const { org, prefix } = body;
    const { revision, claims } = await this.owners.prefixClaimEvents();
    if (claims.some((c) => c.org === org && c.prefix === prefix))
      throw new ApiError(HttpStatus.BAD_REQUEST, `prefix ${JSON.stringify(prefix)} is already ${org}'s`);
    const overlap = overlappingClaim(claims, org, prefix);
    if (overlap)
      throw new ApiError(
        HttpStatus.CONFLICT,
        `prefix ${JSON.stringify(prefix)} overlaps ${JSON.stringify(overlap.prefix)}, claimed for ${overlap.org}`,
      );
    if (body.force !== true && !(await knowsOrganisation(this.readModel, this.keys, org)))
      throw new ApiError(HttpStatus.NOT_FOUND, `organisation ${JSON.stringify(org)} is not known`, [
        {
          field: 'org',
          message:
            'no API key names it as tenant and no exemption as implementing organisation; send "force": true to claim for it anyway',
        },
      ]);
    const projection = this.readModel.projection;
    const others = projection
      .consignmentIds()
      .filter((id) => id.startsWith(prefix) && projection.tenants.tenantOfConsignment(id) !== org);
    if (others.length > 0)
      throw new ApiError(
        HttpStatus.CONFLICT,
        `${others.length} consignment(s) of other organisations already lie under ${JSON.stringify(prefix)}; transfer them first`,
        others.slice(0, 20).map((id) => ({ field: 'prefix', message: `consignment ${id}` })),
      );
    const at = new Date().toISOString();
    const id = randomUUID();
    const event: PrefixClaimed = {
      specversion: '1.0',
      id,
      source: OWNERSHIP_SOURCE,
      type: OwnershipEventTypes.PrefixClaimed,
      subject: prefix,
      time: at,
      datacontenttype: 'application/json',
      data: { org, prefix, by: principal.subject, at, reason: body.reason },
    };
    try {
      await this.store.append(
        OwnershipStreams.prefixes,
        [{ id, type: event.type, data: event, metadata: { causation: 'ownership-prefix-claim' } }],
        revision < 0 ? 'no_stream' : revision,
      );
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError)
        throw new ApiError(HttpStatus.CONFLICT, 'another prefix claim was stored first; retry');
      throw error;
    }
    return event;
  }
}

/** Whether an API key (revoked or not) names `organisation` as its tenant, or an exemption belongs to it. */
async function knowsOrganisation(
  readModel: ReadModelService,
  keys: ApiKeyStore,
  organisation: string,
): Promise<boolean> {
  return (
    readModel.projection.tenants.knowsOrganisation(organisation) ||
    (await keys.list()).some((key) => key.tenant === organisation)
  );
}
