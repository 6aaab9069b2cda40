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
  UsePipes,
} from '@nestjs/common';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { grantProblems, Roles, type ApiKeyStore, type Role } from '@aidwatch/access';
import {
  Allow,
  API_KEY_STORE,
  ApiError,
  queryValidationPipe,
  ApiJsonBodyFrom,
  ApiJsonResponse,
  ApiSummary,
} from '@aidwatch/runtime';
import { ApiKeysSchema, CreatedApiKeySchema } from '../shared/api-schemas';
import { ApiResponse } from '@nestjs/swagger';

export class CreateKeyBody {
  @IsIn(Roles)
  role!: Role;

  @IsOptional()
  @IsString()
  tenant?: string;

  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  sources?: string[];

  @IsOptional()
  @IsString()
  monitorId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  label?: string;
}

/**
 * Credentials (contract, "Access"): `POST /admin/keys` {role, tenant?, sources?[], monitorId?} → 201
 * {id, key} (the key is shown once); `GET /admin/keys` lists them without secrets; `DELETE
 * /admin/keys/:id` revokes one (204; 404 for an unknown id). Role `admin` only.
 */
@Controller('admin/keys')
@Allow('admin')
@UsePipes(queryValidationPipe)
export class AdminKeysController {
  constructor(@Inject(API_KEY_STORE) private readonly keys: ApiKeyStore) {}

  @Post()
  @HttpCode(HttpStatus.CREATED)
  @ApiSummary('Create an API key {role, tenant?, sources?, monitorId?, label?}; the key is shown once')
  @ApiJsonBodyFrom(CreateKeyBody)
  @ApiJsonResponse(201, CreatedApiKeySchema, 'the key record and the key')
  async create(@Body() body: CreateKeyBody) {
    const problems = grantProblems(body);
    if (problems.length > 0) throw new ApiError(HttpStatus.BAD_REQUEST, 'invalid key request', problems);
    const { record, key } = await this.keys.create({
      role: body.role,
      ...(body.tenant !== undefined ? { tenant: body.tenant } : {}),
      ...(body.sources !== undefined ? { sources: body.sources } : {}),
      ...(body.monitorId !== undefined ? { monitorId: body.monitorId } : {}),
      ...(body.label !== undefined ? { label: body.label } : {}),
    });
    return { ...record, key };
  }

  @Get()
  @ApiSummary('API keys, never their secrets')
  @ApiJsonResponse(200, ApiKeysSchema, 'every key, revoked ones included')
  async list() {
    return { items: await this.keys.list() };
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiSummary('Revoke an API key (takes effect at once)')
  @ApiResponse({ status: 204, description: 'revoked' })
  async revoke(@Param('id') id: string) {
    if (!(await this.keys.revoke(id))) throw new ApiError(HttpStatus.NOT_FOUND, `key ${id} not found`);
  }
}
