import { z } from 'zod';

export const FAULT_KINDS = [
  'rate_limit',
  'quota',
  'token_expired',
  'server_error',
  'hang',
  'slow_drip',
  'malformed_json',
  'oversized',
  'redirect',
  'bad_data',
  'permission',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const faultSpecSchema = z
  .object({
    scope: z.union([
      z.literal('global'),
      z.object({ appId: z.string().min(1) }).strict(),
      z.object({ uid: z.union([z.string().min(1), z.number().int()]).transform(String) }).strict(),
    ]),
    kind: z.enum(FAULT_KINDS),
    /** How many matching calls it affects; unlimited when absent. */
    count: z.number().int().positive().optional(),
    /** Only requests whose path starts with this. */
    path: z.string().startsWith('/').optional(),
    /** rate_limit: answer HTTP 429 with Retry-After instead of the platform error body. */
    http429: z.boolean().optional(),
    retryAfterSeconds: z.number().int().nonnegative().optional(),
    /** server_error: 500, 502 or 503. */
    status: z.union([z.literal(500), z.literal(502), z.literal(503)]).optional(),
    /** slow_drip: milliseconds between bytes. */
    intervalMs: z.number().int().positive().optional(),
    /** oversized: body size in MB (may be fractional). */
    sizeMb: z.number().positive().max(1024).optional(),
    /** redirect: the Location header. */
    location: z.string().url().optional(),
    /** bad_data: how counts are corrupted. */
    variant: z.enum(['negative', 'nan', 'string', 'mixed']).optional(),
    /** Weibo error code override for rate_limit (10022, 10023, 10024). */
    weiboCode: z.number().int().optional(),
  })
  .strict();

export type FaultSpec = z.input<typeof faultSpecSchema>;
export type Fault = z.output<typeof faultSpecSchema> & { id: number; applied: number };

export interface FaultTarget {
  path: string;
  appId?: string;
  /** Every uid the request concerns (token owner, uid, uids). */
  uids: string[];
}

export class FaultController {
  private faults: Fault[] = [];
  private nextId = 1;

  /** Validates and installs a fault; returns it with its id. */
  static withFaults(specs: FaultSpec[]): FaultController {
    const controller = new FaultController();
    for (const spec of specs) controller.add(spec);
    return controller;
  }

  add(spec: FaultSpec): Fault {
    const parsed = faultSpecSchema.parse(spec);
    const fault: Fault = { ...parsed, id: this.nextId, applied: 0 };
    this.nextId += 1;
    this.faults.push(fault);
    return fault;
  }

  remove(id: number): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** The first matching fault, consuming one of its count. Account-scoped faults win. */
  take(target: FaultTarget): Fault | undefined {
    const matches = this.faults.filter((f) => matches_(f, target));
    const fault = matches.find((f) => f.scope !== 'global') ?? matches[0];
    if (fault === undefined) return undefined;
    fault.applied += 1;
    if (fault.count !== undefined) {
      fault.count -= 1;
      if (fault.count <= 0) this.remove(fault.id);
    }
    return { ...fault };
  }
}

function matches_(fault: Fault, target: FaultTarget): boolean {
  if (fault.path !== undefined && !target.path.startsWith(fault.path)) return false;
  if (fault.scope === 'global') return true;
  if ('appId' in fault.scope) return fault.scope.appId === target.appId;
  return target.uids.includes(fault.scope.uid);
}
