import { CreateRegistry1795321222213 } from './1795321222213-CreateRegistry';
import { CreateCredentials1795323751236 } from './1795323751236-CreateCredentials';

/** Every migration, in order. Explicit imports: no globbing of compiled files. */
export const MIGRATIONS = [CreateRegistry1795321222213, CreateCredentials1795323751236];
