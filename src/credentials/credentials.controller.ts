import { Body, Controller, Delete, Get, Param, ParseIntPipe, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireRole } from '../auth/access-policy.decorator';
import { type Actor, CurrentActor, CurrentPrincipal, type Principal } from '../auth/principal';
import {
  CREDENTIAL_BODY_SCHEMA,
  CredentialStateResponse,
  PutCredentialDto,
} from './credential.dto';
import { CredentialsService } from './credentials.service';

@ApiTags('credentials')
@Controller('api/v1/accounts/:accountId/credentials')
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({
    summary: "Get an account's credential state",
    description:
      'kind, AppID (WeChat), state (valid, expired, revoked or never), key version and dates. Never the secret or its ciphertext. 404 outside the key’s region scope.',
  })
  @ApiOkResponse({ type: CredentialStateResponse })
  @ApiNotFoundResponse({ description: 'No such account in the key’s region scope.' })
  get(
    @Param('accountId', ParseIntPipe) accountId: number,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CredentialStateResponse> {
    return this.credentials.get(accountId, principal);
  }

  @Put()
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Attach or rotate an account’s credential',
    description:
      'WeChat accounts take {appId, appSecret} (appId must be the account’s registered AppID); Weibo accounts take {accessToken, expiresAt?}. ' +
      'Fields of the other platform get 400. The secret is stored AES-256-GCM encrypted and never returned; a cached access token is dropped. Audited without the secret.',
  })
  @ApiBody({ schema: CREDENTIAL_BODY_SCHEMA })
  @ApiOkResponse({ type: CredentialStateResponse })
  @ApiBadRequestResponse({ description: 'A field is missing, malformed or not for this platform.' })
  @ApiNotFoundResponse({ description: 'No such account in the key’s region scope.' })
  @ApiConflictResponse({ description: 'Another account holds a live credential for this AppID.' })
  put(
    @Param('accountId', ParseIntPipe) accountId: number,
    @Body() dto: PutCredentialDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<CredentialStateResponse> {
    return this.credentials.put(accountId, dto, principal, actor);
  }

  @Delete()
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Revoke an account’s credential',
    description:
      'Collection with it stops; the encrypted secret and any cached access token are wiped, the record stays. Audited.',
  })
  @ApiOkResponse({ type: CredentialStateResponse })
  @ApiNotFoundResponse({ description: 'No such account in scope, or no live credential.' })
  revoke(
    @Param('accountId', ParseIntPipe) accountId: number,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<CredentialStateResponse> {
    return this.credentials.revoke(accountId, principal, actor);
  }
}
