/** Collects WHERE conditions with positional parameters for hand-written SQL. */
export class SqlConditions {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  /** Adds a parameter and returns its placeholder (`$n`). */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** `build` receives the placeholders of `values`, in order. */
  where(build: (...placeholders: string[]) => string, ...values: unknown[]): this {
    this.conditions.push(build(...values.map((v) => this.param(v))));
    return this;
  }

  toSql(): string {
    return this.conditions.length > 0 ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}

/** LIKE pattern for a literal substring. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
