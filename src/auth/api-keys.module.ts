import { Module } from '@nestjs/common';
import { ApiKeysController } from './api-keys.controller';
import { AuthModule } from './auth.module';

/** Key management endpoints (api role only). */
@Module({ imports: [AuthModule], controllers: [ApiKeysController] })
export class ApiKeysModule {}
