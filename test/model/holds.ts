/**
 * Holds: every step the orchestrator takes into the world (an HTTP request,
 * a pre-check, the processor, a store write) waits here until the test lets
 * it go. Each hold is tagged with the state the orchestrator was in when it
 * began, so the runner releases exactly the work of the state a path step
 * leaves, and the orchestrator rests in every state long enough to be
 * checked and to receive the next move.
 */
export interface Hold {
  tag: string;
  kind: string;
  release: () => void;
  /** Lets the work go without caring how it ends (clean-up after a path). */
  discard: () => void;
}

export class Holds {
  #held: Hold[] = [];
  #closed = false;

  /** Holds a piece of work; `release` runs it, `discard` drops it. */
  add(hold: Hold): void {
    if (this.#closed) {
      hold.discard();
      return;
    }
    this.#held.push(hold);
  }

  /** Runs every hold that began in the state named by `tag`; returns how many. */
  release(tag: string): number {
    const due = this.#held.filter((hold) => hold.tag === tag);
    this.#held = this.#held.filter((hold) => hold.tag !== tag);
    for (const hold of due) hold.release();
    return due.length;
  }

  pending(): ReadonlyArray<Pick<Hold, 'tag' | 'kind'>> {
    return this.#held.map(({ tag, kind }) => ({ tag, kind }));
  }

  /** Drops everything still held and holds nothing more. */
  close(): void {
    this.#closed = true;
    const held = this.#held;
    this.#held = [];
    for (const hold of held) hold.discard();
  }
}
