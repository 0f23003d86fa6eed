/**
 * ExecutionContext: the restart state of a job or step, a JSON object persisted at each chunk
 * commit (step level) or step boundary (job level). Readers and writers keep their position in it.
 *
 * A dirty flag lets the repository skip the context UPDATE when nothing changed in a chunk.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export class ExecutionContext {
  private data: Record<string, JsonValue>;
  private dirtyFlag = false;
  /** Set by `checkpoint()`: the first change after it copies the data into `backup`. */
  private checkpointed = false;
  private backup: Record<string, JsonValue> | undefined;
  private backupDirty = false;

  constructor(data: Record<string, JsonValue> = {}) {
    this.data = { ...data };
  }

  get(key: string): JsonValue | undefined {
    return this.data[key];
  }

  getNumber(key: string, fallback = 0): number {
    const v = this.data[key];
    return typeof v === 'number' ? v : fallback;
  }

  getString(key: string, fallback = ''): string {
    const v = this.data[key];
    return typeof v === 'string' ? v : fallback;
  }

  has(key: string): boolean {
    return key in this.data;
  }

  put(key: string, value: JsonValue): void {
    if (this.data[key] === value) return;
    if (this.checkpointed && !this.backup) this.backup = { ...this.data };
    this.data[key] = value;
    this.dirtyFlag = true;
  }

  remove(key: string): void {
    if (!(key in this.data)) return;
    if (this.checkpointed && !this.backup) this.backup = { ...this.data };
    delete this.data[key];
    this.dirtyFlag = true;
  }

  get dirty(): boolean {
    return this.dirtyFlag;
  }

  clearDirty(): void {
    this.dirtyFlag = false;
  }

  /**
   * Marks the state a failed chunk returns to. Copy-on-write: nothing is copied unless the context
   * changes before `commitCheckpoint()`/`restoreCheckpoint()` — a chunk whose streams saved no new
   * position costs no copy at all.
   */
  checkpoint(): void {
    this.checkpointed = true;
    this.backup = undefined;
    this.backupDirty = this.dirtyFlag;
  }

  /** The chunk committed: forget the checkpoint. */
  commitCheckpoint(): void {
    this.checkpointed = false;
    this.backup = undefined;
  }

  /** The chunk rolled back: the data and the dirty flag are put back as they were at `checkpoint()`. */
  restoreCheckpoint(): void {
    if (!this.checkpointed) return;
    if (this.backup) this.data = this.backup;
    this.dirtyFlag = this.backupDirty;
    this.commitCheckpoint();
  }

  /** Values as stored; callers must not mutate them. */
  entries(): Readonly<Record<string, JsonValue>> {
    return this.data;
  }

  toJSON(): Record<string, JsonValue> {
    return { ...this.data };
  }

  /**
   * A shallow copy, taken before each chunk so a rollback can restore the previous state cheaply.
   * Streams replace values with `put` (they never mutate a stored object in place).
   */
  snapshot(): ExecutionContext {
    return new ExecutionContext(this.data);
  }

  /** A deep copy (JSON round trip), so a rolled-back chunk cannot leak into the committed state. */
  clone(): ExecutionContext {
    return new ExecutionContext(JSON.parse(JSON.stringify(this.data)) as Record<string, JsonValue>);
  }
}
