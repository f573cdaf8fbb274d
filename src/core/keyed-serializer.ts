/**
 * Runs tasks one after another per key, and tasks of different keys concurrently. Used so that
 * two events of one conversation reach the bot in the order they arrived, while other
 * conversations never wait for them. The map holds only keys with work in flight.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Run `task` after every task queued earlier under `key`. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Number of keys with work in flight. */
  get size(): number {
    return this.tails.size;
  }
}
