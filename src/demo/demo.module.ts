import { type DynamicModule, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import type { RunningSimulator } from '../simulator';
import { DemoService, SIMULATOR } from './demo.service';

@Module({})
export class DemoModule {
  static forSimulator(simulator: RunningSimulator): DynamicModule {
    return {
      module: DemoModule,
      imports: [AccountsModule],
      providers: [{ provide: SIMULATOR, useValue: simulator }, DemoService],
      exports: [DemoService, SIMULATOR],
    };
  }
}
