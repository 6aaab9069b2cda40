import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Req,
  Res,
  UsePipes,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  AlertConflictError,
  filterErrors,
  filterMatches,
  InvalidAlertCommandError,
  type Alert,
  ownConsignmentIds,
  type AlertCommand,
} from '@aidwatch/alerts';
import {
  Allow,
  ApiError,
  FairSlices,
  queryValidationPipe,
  ApiJsonResponse,
  TenantActionLimiter,
  writeItemsInSlices,
} from '@aidwatch/runtime';
import { WrongExpectedRevisionError } from '@aidwatch/event-store';
import { AcknowledgeBody, AlertListQuery, AssignBody, CommentBody, ResolveBody } from './alert.dto';
import { alertFilterOf } from './alert-filter.mapping';
import { AlertsService, UnknownAlertError } from './alerts.service';
import { callerOf, holderOf } from '../caller/principal';
import { RedactionService } from '../caller/redaction.service';
import { TenancyService } from '../caller/tenancy.service';
import { AlertGroupsSchema, AlertSchema, AlertsPageSchema } from '../shared/api-schemas';

/** The alerts of the alert book: list, groups by consignment, one alert with its history, and actions. */
@ApiTags('Alerts')
@ApiBearerAuth()
@Controller('alerts')
@Allow('dashboard', 'monitor', 'operator')
@UsePipes(queryValidationPipe)
export class AlertActionsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly tenancy: TenancyService,
    private readonly redaction: RedactionService,
    private readonly actionLimiter: TenantActionLimiter,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Alerts (one per problem), newest first, with filters' })
  @ApiJsonResponse(200, AlertsPageSchema, 'the alerts the caller may see')
  async list(@Req() req: Request, @Res() res: Response, @Query() query: AlertListQuery): Promise<void> {
    const filter = alertFilterOf(query);
    const errors = filterErrors(filter);
    if (errors.length > 0) throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid request', errors);
    const now = new Date().toISOString();
    const caller = callerOf(req);
    // A long list (up to 10,000 alerts, megabytes of JSON) is read, shaped and written in slices of a few
    // milliseconds, each at its organisation's turn: another organisation's requests and /health are served in
    // between, however many such lists one organisation asks for at once.
    const slices = new FairSlices(this.alerts.turns, holderOf(caller));
    const matched: Alert[] = [];
    for (const whole of this.alerts.book.visibleTo(caller.tenant)) {
      const wait = slices.next();
      if (wait) await wait;
      if (!this.tenancy.maySee(caller, whole.labels)) continue;
      const a = this.alerts.book.viewOf(whole, caller.tenant);
      const facts = {
        type: '',
        labels: this.redaction.labels(a.labels, caller.tenant),
        status: a.status,
        location: a.location,
      };
      if (filterMatches(filter, facts)) matched.push(a);
    }
    const items = matched.sort((a, b) => b.lastRaisedAt.localeCompare(a.lastRaisedAt)).slice(0, query.limit);
    res.status(HttpStatus.OK).type('application/json');
    await writeItemsInSlices(res, items, slices, (a) => this.listView(a, now, caller.tenant));
  }

  @Get('groups')
  @ApiOperation({ summary: 'Open alerts grouped by consignment: counts per status and the highest severity' })
  @ApiJsonResponse(200, AlertGroupsSchema, 'one group per consignment, most severe first')
  async groups(@Req() req: Request) {
    const caller = callerOf(req);
    // Every alert is read: in slices at the organisation's turn, as for the list.
    const slices = new FairSlices(this.alerts.turns, holderOf(caller));
    const groups = new Map<
      string,
      {
        consignmentId: string;
        alerts: string[];
        firing: number;
        acknowledged: number;
        highestSeverity: string;
      }
    >();
    const rank = ['low', 'medium', 'high', 'critical'];
    for (const whole of this.alerts.book.visibleTo(caller.tenant)) {
      const wait = slices.next();
      if (wait) await wait;
      if (!this.tenancy.maySee(caller, whole.labels)) continue;
      const a = this.alerts.book.viewOf(whole, caller.tenant);
      if (a.status === 'resolved') continue;
      // A tenant's groups are its own consignments only (a shared vessel alert names others' too).
      const ids = ownConsignmentIds(caller, a.consignmentIds, this.alerts.book.ownerOf);
      for (const id of ids.length > 0 ? ids : ['(none)']) {
        const g = groups.get(id) ?? {
          consignmentId: id,
          alerts: [],
          firing: 0,
          acknowledged: 0,
          highestSeverity: 'low',
        };
        g.alerts.push(a.alertId);
        if (a.status === 'firing') g.firing += 1;
        else g.acknowledged += 1;
        if (rank.indexOf(a.severity) > rank.indexOf(g.highestSeverity)) g.highestSeverity = a.severity;
        groups.set(id, g);
      }
    }
    return {
      items: [...groups.values()].sort(
        (a, b) => rank.indexOf(b.highestSeverity) - rank.indexOf(a.highestSeverity),
      ),
    };
  }

  @Get(':alertId')
  @ApiOperation({ summary: 'One alert with its flags and history (who, when, why)' })
  @ApiJsonResponse(200, AlertSchema, 'the alert with its flag ids and history')
  get(@Req() req: Request, @Param('alertId') alertId: string) {
    return this.fullView(this.visible(req, alertId), new Date().toISOString(), callerOf(req).tenant);
  }

  @Post(':alertId/acknowledge')
  @HttpCode(200)
  @ApiOperation({ summary: 'firing → acknowledged' })
  @ApiJsonResponse(200, AlertSchema, 'the alert after the action')
  @ApiResponse({
    status: 409,
    description: 'the alert changed meanwhile, or the action does not apply to its state',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  })
  acknowledge(@Req() req: Request, @Param('alertId') alertId: string, @Body() body: AcknowledgeBody) {
    return this.act(req, alertId, (by, at) => ({ kind: 'acknowledge', by, at, note: body.note }));
  }

  @Post(':alertId/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: '→ resolved, with a note saying why (re-opens on new evidence)' })
  @ApiJsonResponse(200, AlertSchema, 'the alert after the action')
  resolve(@Req() req: Request, @Param('alertId') alertId: string, @Body() body: ResolveBody) {
    return this.act(req, alertId, (by, at) => ({ kind: 'resolve', by, at, note: body.note }));
  }

  @Post(':alertId/assign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Assign to a person or team' })
  @ApiJsonResponse(200, AlertSchema, 'the alert after the action')
  assign(@Req() req: Request, @Param('alertId') alertId: string, @Body() body: AssignBody) {
    return this.act(req, alertId, (by, at) => ({
      kind: 'assign',
      by,
      at,
      assignee: body.assignee,
      note: body.note,
    }));
  }

  @Post(':alertId/comments')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a comment to the history' })
  @ApiJsonResponse(201, AlertSchema, 'the alert with the comment in its history')
  comment(@Req() req: Request, @Param('alertId') alertId: string, @Body() body: CommentBody) {
    return this.act(req, alertId, (by, at) => ({ kind: 'comment', by, at, note: body.comment }));
  }

  /** The alert as the caller sees it (its organisation's view, `AlertBook.viewOf`); 404 if it may not. */
  private visible(req: Request, alertId: string): Alert {
    const alert = this.alerts.book.get(alertId);
    const caller = callerOf(req);
    if (!alert || !this.tenancy.maySee(caller, alert.labels))
      throw new ApiError(HttpStatus.NOT_FOUND, `alert ${alertId} not found`);
    return this.alerts.book.viewOf(alert, caller.tenant);
  }

  private async act(req: Request, alertId: string, command: (by: string, at: string) => AlertCommand) {
    const shown = this.visible(req, alertId);
    const now = new Date().toISOString();
    const caller = callerOf(req);
    // An organisation's actions together, across its credentials and the API replicas (LIMIT_TENANT_ALERT_ACTIONS).
    if (req.res) await this.actionLimiter.admit(caller.tenant, req.res);
    const action = command(caller.id, now);
    // An alert shared with other organisations (a vessel carrying several organisations' aid): an
    // organisation's credential acts on its own view of it (status, assignee, comments), which the other
    // organisations never see; an operator acts on the alert itself.
    const organisation =
      caller.tenant !== undefined && this.alerts.book.sharedBeyond(shown, caller.tenant)
        ? caller.tenant
        : undefined;
    try {
      const alert = await this.alerts.act(alertId, action, organisation);
      return this.fullView(this.alerts.book.viewOf(alert, caller.tenant), now, caller.tenant);
    } catch (error) {
      if (error instanceof UnknownAlertError) throw new ApiError(HttpStatus.NOT_FOUND, error.message);
      if (error instanceof InvalidAlertCommandError)
        throw new ApiError(HttpStatus.BAD_REQUEST, error.message);
      if (error instanceof AlertConflictError) throw new ApiError(HttpStatus.CONFLICT, error.message);
      if (error instanceof WrongExpectedRevisionError)
        throw new ApiError(HttpStatus.CONFLICT, 'the alert changed meanwhile; read it again and retry');
      throw error;
    }
  }

  /**
   * An alert of a list as this reader may see it: without history, flag ids and lifecycle count.
   * `tenant`: the reader's organisation (its own and operators' silences, its own inhibiting alerts);
   * absent for operators. Redacted per reader (`RedactionService.alert`).
   */
  private async listView(alert: Alert, now: string, tenant: string | undefined) {
    const { lifecycleEvents: _n, ...whole } = alert;
    const muted = this.alerts.book.mutedBy(alert, now, { tenant });
    const {
      history: _history,
      flagIds: _flagIds,
      ...shown
    } = await this.redaction.alert({ ...whole, ...muted }, tenant);
    return shown;
  }

  /** The alert with its flag ids and its history (each author named) as this reader may see it. */
  private async fullView(alert: Alert, now: string, tenant: string | undefined) {
    const { lifecycleEvents: _n, history, ...whole } = alert;
    const muted = this.alerts.book.mutedBy(alert, now, { tenant });
    return this.redaction.alert({ ...whole, ...muted, history: await this.redaction.named(history) }, tenant);
  }
}
