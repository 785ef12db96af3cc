import { CreateRegistry1795321222213 } from './1795321222213-CreateRegistry';
import { CreateCredentials1795323751236 } from './1795323751236-CreateCredentials';
import { CreateMetricsStorage1795326376152 } from './1795326376152-CreateMetricsStorage';
import { CreateScheduleRuns1795327133721 } from './1795327133721-CreateScheduleRuns';
import { CreateCollectionState1795400000000 } from './1795400000000-CreateCollectionState';
import { CreateScores1795500000000 } from './1795500000000-CreateScores';
import { CreateCapability1795600000000 } from './1795600000000-CreateCapability';
import { CreateMenuSnapshots1795700000000 } from './1795700000000-CreateMenuSnapshots';

/** Every migration, in order. Explicit imports: no globbing of compiled files. */
export const MIGRATIONS = [
  CreateRegistry1795321222213,
  CreateCredentials1795323751236,
  CreateMetricsStorage1795326376152,
  CreateScheduleRuns1795327133721,
  CreateCollectionState1795400000000,
  CreateScores1795500000000,
  CreateCapability1795600000000,
  CreateMenuSnapshots1795700000000,
];
