import { Body, Controller, Delete, Get, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from './access-policy.decorator';
import { ApiKeyResponse, CreateApiKeyDto, CreatedApiKeyResponse } from './api-key.dto';
import { ApiKeysService } from './api-keys.service';
import { type Actor, CurrentActor, CurrentPrincipal, type Principal } from './principal';

@ApiTags('api-keys')
@Controller('api/v1/api-keys')
@RequireRole('admin')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @ApiOperation({
    summary: 'List API keys',
    description:
      'Hashes are never returned. A region-scoped admin sees only keys inside its region.',
  })
  @ApiOkResponse({ type: [ApiKeyResponse] })
  list(@CurrentPrincipal() principal: Principal): Promise<ApiKeyResponse[]> {
    return this.apiKeys.list(principal);
  }

  @Post()
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'Returns the whole key once; only a SHA-256 hash of its secret is stored. A regionCode confines the key to that region subtree.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  create(
    @Body() dto: CreateApiKeyDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<CreatedApiKeyResponse> {
    return this.apiKeys.create(dto, principal, actor);
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Revoke an API key',
    description:
      'The key stops working at once. The last working unscoped admin key cannot be revoked (409).',
  })
  @ApiOkResponse({ type: ApiKeyResponse })
  revoke(
    @Param('id', ParseIntPipe) id: number,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<ApiKeyResponse> {
    return this.apiKeys.revoke(id, principal, actor);
  }
}
