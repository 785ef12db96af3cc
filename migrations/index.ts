import { CreateRegistry1795321222213 } from './1795321222213-CreateRegistry';

/** Every migration, in order. Explicit imports: no globbing of compiled files. */
export const MIGRATIONS = [CreateRegistry1795321222213];
