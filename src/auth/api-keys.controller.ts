import { Body, Controller, Delete, Get, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from './access-policy.decorator';
import { ApiKeyResponse, CreateApiKeyDto, CreatedApiKeyResponse } from './api-key.dto';
import { ApiKeysService } from './api-keys.service';
import { type Actor, CurrentActor } from './principal';

@ApiTags('api-keys')
@Controller('api/v1/api-keys')
@RequireRole('admin')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @ApiOperation({ summary: 'List API keys', description: 'Hashes are never returned.' })
  @ApiOkResponse({ type: [ApiKeyResponse] })
  list(): Promise<ApiKeyResponse[]> {
    return this.apiKeys.list();
  }

  @Post()
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'Returns the whole key once; only a SHA-256 hash of its secret is stored. A regionCode confines the key to that region subtree.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  create(@Body() dto: CreateApiKeyDto, @CurrentActor() actor: Actor): Promise<CreatedApiKeyResponse> {
    return this.apiKeys.create(dto, actor);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an API key', description: 'The key stops working at once.' })
  @ApiOkResponse({ type: ApiKeyResponse })
  revoke(@Param('id', ParseIntPipe) id: number, @CurrentActor() actor: Actor): Promise<ApiKeyResponse> {
    return this.apiKeys.revoke(id, actor);
  }
}
