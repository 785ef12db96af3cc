import { Body, Controller, Get, Param, ParseIntPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireRole } from '../auth/access-policy.decorator';
import { type Actor, CurrentActor, CurrentPrincipal, type Principal } from '../auth/principal';
import {
  CloseOrganizationDto,
  CreateOrganizationDto,
  ListOrganizationsQuery,
  OrganizationPage,
  OrganizationResponse,
  UpdateOrganizationDto,
} from './organization.dto';
import { OrganizationsService } from './organizations.service';

@ApiTags('organizations')
@Controller('api/v1/organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'List organizations',
    description: 'Filter by region subtree, level, sector, parent, name; keyset pagination.',
  })
  @ApiOkResponse({ type: OrganizationPage })
  list(
    @Query() query: ListOrganizationsQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<OrganizationPage> {
    return this.organizations.list(query, principal);
  }

  @Get(':id')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Get an organization',
    description: '404 outside the key’s region scope.',
  })
  @ApiOkResponse({ type: OrganizationResponse })
  @ApiNotFoundResponse({ description: 'No such organization in the key’s region scope.' })
  get(
    @Param('id', ParseIntPipe) id: number,
    @CurrentPrincipal() principal: Principal,
  ): Promise<OrganizationResponse> {
    return this.organizations.get(id, principal);
  }

  @Post()
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Create an organization',
    description: 'Name is unique within its region. Audited.',
  })
  @ApiCreatedResponse({ type: OrganizationResponse })
  create(
    @Body() dto: CreateOrganizationDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<OrganizationResponse> {
    return this.organizations.create(dto, principal, actor);
  }

  @Patch(':id')
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Update an organization',
    description: 'Only the fields sent change. Audited.',
  })
  @ApiOkResponse({ type: OrganizationResponse })
  update(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: UpdateOrganizationDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<OrganizationResponse> {
    return this.organizations.update(id, dto, principal, actor);
  }

  @Post(':id/close')
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Close an organization',
    description: 'Refused while it has open accounts. Audited.',
  })
  @ApiOkResponse({ type: OrganizationResponse })
  close(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: CloseOrganizationDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<OrganizationResponse> {
    return this.organizations.close(id, dto, principal, actor);
  }
}
