import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../auth/principal';

/** A row as stored (`to_jsonb(row)`): audit snapshots have one shape whatever wrote them. */
export interface Snapshot {
  snapshot: Record<string, unknown>;
}

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string | number;
  before: object | null;
  after: object | null;
}

/** Writes audit rows inside the caller's transaction, so a change and its record commit together. */
@Injectable()
export class AuditService {
  async record(manager: EntityManager, actor: Actor, entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await manager.query(
      `INSERT INTO audit_log (actor_key_id, actor_name, correlation_id, action, entity_type, entity_id, before, after)
       SELECT $1, $2, $3, e.action, e.entity_type, e.entity_id, e.before, e.after
       FROM unnest($4::text[], $5::text[], $6::text[], $7::jsonb[], $8::jsonb[])
         AS e(action, entity_type, entity_id, before, after)`,
      [
        actor.apiKeyId,
        actor.name,
        actor.correlationId,
        entries.map((e) => e.action),
        entries.map((e) => e.entityType),
        entries.map((e) => String(e.entityId)),
        entries.map((e) => (e.before ? JSON.stringify(e.before) : null)),
        entries.map((e) => (e.after ? JSON.stringify(e.after) : null)),
      ],
    );
  }
}
