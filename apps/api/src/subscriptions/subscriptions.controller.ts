import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Query,
  Req,
  UsePipes,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { filterErrors, type AlertFilter, type BoundingBox } from '@aidwatch/alerts';
import {
  Allow,
  APP_CONFIG,
  ApiError,
  queryValidationPipe,
  ApiJsonResponse,
  ApiSummary,
} from '@aidwatch/runtime';
import type { AppConfig } from '@aidwatch/config';
import { callerOf } from '../caller/principal';
import { TenancyService } from '../caller/tenancy.service';
import { filterListLimit } from '../alerts/alert.dto';
import { DeliveriesQuery, ReplayBody, SubscriptionBody } from './subscription.dto';
import { webhookTargetProblem, type WebhookDelivery, type WebhookSubscription } from '@aidwatch/webhooks';
import { WebhooksService } from './webhooks.service';
import {
  CreatedSubscriptionSchema,
  DeliveriesSchema,
  DeliveryWithAttemptsSchema,
  SubscriptionSchema,
  SubscriptionsSchema,
} from '../shared/api-schemas';

/** Webhook subscriptions (CONTRACT "Alert subscriptions"), their deliveries, attempts and replay. */
@ApiTags('Alert subscriptions')
@ApiBearerAuth()
@Controller('subscriptions')
@Allow('dashboard', 'operator')
@UsePipes(filterListLimit, queryValidationPipe)
export class SubscriptionsController {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly tenancy: TenancyService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Register a webhook {url, secret?, filters?}; the secret is returned once' })
  @ApiJsonResponse(201, CreatedSubscriptionSchema, 'the subscription and its signing secret (shown once)')
  async create(@Req() req: Request, @Body() body: SubscriptionBody) {
    const principal = callerOf(req);
    const target = await webhookTargetProblem(body.url, this.webhooks.allowPrivateTargets);
    if (target)
      throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid request', [{ field: 'url', message: target }]);
    const filters: AlertFilter = {
      ...(body.filters ?? {}),
      bbox: body.filters?.bbox as BoundingBox | undefined,
    } as AlertFilter;
    const errors = filterErrors(filters).map((e) => ({ ...e, field: `filters.${e.field}` }));
    if (errors.length > 0) throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid request', errors);
    // Each subscription is a delivery queue the dispatcher works through: one organisation holds a bounded
    // number of them (operators' together count as one more organisation).
    const limit = this.config.limits.subscriptionsPerTenant;
    const held = (await this.webhooks.store.subscriptions()).filter(
      (s) => s.tenant === principal.tenant,
    ).length;
    if (held >= limit)
      throw new ApiError(
        HttpStatus.CONFLICT,
        `${held} webhook subscriptions held: at most ${limit} per organisation (LIMIT_SUBSCRIPTIONS_PER_TENANT); delete one first`,
      );
    const s = await this.webhooks.subscribe({
      url: body.url,
      secret: body.secret,
      filters,
      tenant: principal.tenant,
      createdBy: principal.id,
    });
    return { ...view(s), secret: s.secret };
  }

  @Get()
  @ApiOperation({ summary: 'Subscriptions visible to the caller' })
  @ApiJsonResponse(200, SubscriptionsSchema, 'subscriptions, never their secrets')
  async list(@Req() req: Request) {
    const caller = callerOf(req);
    return {
      items: (await this.webhooks.store.subscriptions())
        .filter((s) => this.tenancy.owns(caller, s.tenant))
        .map(view),
    };
  }

  @Get(':id')
  @ApiSummary('One subscription (never its secret)')
  @ApiJsonResponse(200, SubscriptionSchema, 'the subscription')
  async get(@Req() req: Request, @Param('id') id: string) {
    return view(await this.owned(req, id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiSummary('Delete a subscription: no further deliveries')
  @ApiResponse({ status: 204, description: 'deleted' })
  async remove(@Req() req: Request, @Param('id') id: string) {
    await this.webhooks.unsubscribe((await this.owned(req, id)).subscriptionId);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Deliveries of a subscription (pending, delivered, dead), oldest first' })
  @ApiJsonResponse(200, DeliveriesSchema, 'deliveries, oldest first')
  async deliveries(@Req() req: Request, @Param('id') id: string, @Query() query: DeliveriesQuery) {
    await this.owned(req, id);
    return { items: (await this.webhooks.store.deliveries(id, query.status, 1000)).map(deliveryView) };
  }

  @Get(':id/deliveries/:deliveryId')
  @ApiOperation({ summary: 'One delivery with every attempt (time, HTTP status, error, duration)' })
  @ApiJsonResponse(200, DeliveryWithAttemptsSchema, 'the delivery, its payload and every attempt')
  async delivery(@Req() req: Request, @Param('id') id: string, @Param('deliveryId') deliveryId: string) {
    await this.owned(req, id);
    const d = await this.webhooks.store.delivery(deliveryId);
    if (!d || d.subscriptionId !== id)
      throw new ApiError(HttpStatus.NOT_FOUND, `delivery ${deliveryId} not found`);
    return {
      ...deliveryView(d),
      payload: JSON.parse(d.payload) as unknown,
      attemptLog: await this.webhooks.store.attempts(deliveryId),
    };
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue dead deliveries again (all, or those listed)' })
  @ApiJsonResponse(
    202,
    { type: 'object', required: ['replayed'], properties: { replayed: { type: 'integer', minimum: 0 } } },
    'how many dead deliveries were queued again',
  )
  async replay(@Req() req: Request, @Param('id') id: string, @Body() body: ReplayBody) {
    await this.owned(req, id);
    return { replayed: await this.webhooks.replay(id, body?.deliveryIds) };
  }

  private async owned(req: Request, id: string): Promise<WebhookSubscription> {
    const s = await this.webhooks.store.subscription(id);
    if (!s || !this.tenancy.owns(callerOf(req), s.tenant))
      throw new ApiError(HttpStatus.NOT_FOUND, `subscription ${id} not found`);
    return s;
  }
}

const view = ({ secret: _secret, ...rest }: WebhookSubscription) => rest;
const deliveryView = ({ payload: _payload, ...rest }: WebhookDelivery) => rest;
