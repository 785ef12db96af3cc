import { Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { AccountImportService } from './import/account-import.service';
import { OrganizationsController } from './organizations.controller';
import { OrganizationsService } from './organizations.service';

@Module({
  controllers: [AccountsController, OrganizationsController],
  providers: [AccountsService, OrganizationsService, AccountImportService],
  exports: [AccountsService, OrganizationsService, AccountImportService],
})
export class AccountsModule {}
