/**
 * Parse results by slot (a file, a script, a config document a script
 * writes), shared between slots whose text is the same.
 *
 * A deployment monorepo holds many byte-identical files: a module copied into
 * every cluster, the same provisioning script beside every Packer template.
 * Parsers are pure functions of the text, so one parse serves every copy.
 * Each slot holds one entry; an entry lives while a slot refers to it, so
 * memory stays proportional to the distinct texts in the workspace, not to the
 * edit history. Values are shared: callers must treat them as immutable.
 */
export class ContentCache<T> {
  private readonly slots = new Map<string, string>();
  private readonly byText = new Map<string, { readonly value: T; refs: number }>();
  /** Parses run (for tests and the benchmark). */
  computed = 0;

  /**
   * The value for `text` in `slot`. `compute` gets the slot's previous text and value when there is one (the text
   * before an edit), for parsers that can reuse the unchanged part.
   */
  get(slot: string, text: string, compute: (text: string, previous?: { readonly text: string; readonly value: T }) => T): T {
    const current = this.slots.get(slot);
    if (current === text) return this.byText.get(text)!.value;
    let entry = this.byText.get(text);
    if (entry === undefined) {
      this.computed++;
      const before = current === undefined ? undefined : this.byText.get(current);
      entry = { value: compute(text, before && { text: current!, value: before.value }), refs: 0 };
      this.byText.set(text, entry);
    }
    entry.refs++;
    this.slots.set(slot, text);
    if (current !== undefined) this.release(current);
    return entry.value;
  }

  delete(slot: string): void {
    const current = this.slots.get(slot);
    if (current === undefined) return;
    this.slots.delete(slot);
    this.release(current);
  }

  /** Distinct texts held. */
  get size(): number {
    return this.byText.size;
  }

  /** Slots that hold a text. */
  get slotCount(): number {
    return this.slots.size;
  }

  private release(text: string): void {
    const entry = this.byText.get(text);
    if (entry !== undefined && --entry.refs <= 0) this.byText.delete(text);
  }
}
