import { types } from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from '../../migrations';

// DATE columns are calendar days (Asia/Shanghai business dates): keep them as 'YYYY-MM-DD'.
types.setTypeParser(types.builtins.DATE, (value: string) => value);

/** The one definition of the TypeORM data source, shared by Nest, scripts and tests. */
export function buildDataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: poolSize, application_name: 'gov-media-monitor' },
  };
}
