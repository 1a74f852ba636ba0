/** Rows collected as plain numbers, cut into Float64Array frames on demand. */
export class Batch<F> {
  private rows: number[][] = [];
  private extra: string[] = [];
  total = 0;

  constructor(
    private readonly build: (
      columns: Record<string, Float64Array | Int8Array | string[]>,
      length: number,
    ) => F,
  ) {}

  push(row: number[], id?: string): void {
    this.rows.push(row);
    if (id !== undefined) this.extra.push(id);
    this.total++;
  }

  get size(): number {
    return this.rows.length;
  }

  /** the batch as a frame with the given numeric columns (plus `id` when ids were pushed), or undefined if empty */
  take(names: readonly string[], { sortBy = 0, int8 = [] as readonly string[] } = {}): F | undefined {
    if (this.rows.length === 0) return undefined;
    const order = this.rows
      .map((_, i) => i)
      .sort((a, b) => this.rows[a][sortBy] - this.rows[b][sortBy] || a - b);
    const columns: Record<string, Float64Array | Int8Array | string[]> = {};
    names.forEach((name, j) => {
      const column = int8.includes(name) ? new Int8Array(order.length) : new Float64Array(order.length);
      for (let i = 0; i < order.length; i++) column[i] = this.rows[order[i]][j];
      columns[name] = column;
    });
    if (this.extra.length === this.rows.length) columns.id = order.map((i) => this.extra[i]);
    const frame = this.build(columns, order.length);
    this.rows = [];
    this.extra = [];
    return frame;
  }
}
