import type { EntityManager } from 'typeorm';
import type { Snapshot } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { inRegionScope } from '../auth/region-scope';

export interface ScopedRowSource<R> {
  /** SELECT list and FROM clause; `alias` is the audited table's alias in them. */
  select: string;
  from: string;
  alias: string;
  regionOf(row: R): string | null;
  notFound(id: number): Error;
}

/**
 * Loads one registry row by id with its stored snapshot (for audit rows), seen through the
 * caller's region scope: rows outside it are reported exactly like missing ones.
 */
export class ScopedRows<R> {
  constructor(private readonly source: ScopedRowSource<R>) {}

  async visible(
    manager: EntityManager,
    id: number,
    principal: Principal,
    forUpdate = false,
  ): Promise<R & Snapshot> {
    const row = await this.load(manager, id, forUpdate);
    if (!row || !inRegionScope(principal, this.source.regionOf(row)))
      throw this.source.notFound(id);
    return row;
  }

  /** Re-reads a row this transaction has just written. */
  async reload(manager: EntityManager, id: number): Promise<R & Snapshot> {
    const row = await this.load(manager, id, false);
    if (!row) throw new Error(`${this.source.alias} ${id} vanished inside its own transaction`);
    return row;
  }

  private async load(
    manager: EntityManager,
    id: number,
    forUpdate: boolean,
  ): Promise<(R & Snapshot) | null> {
    const { select, from, alias } = this.source;
    const rows = await manager.query<(R & Snapshot)[]>(
      `${select}, to_jsonb(${alias}) AS snapshot ${from} WHERE ${alias}.id = $1 ${forUpdate ? `FOR UPDATE OF ${alias}` : ''}`,
      [id],
    );
    return rows[0] ?? null;
  }
}
