// The work queue between a webhook handler and its scan. A handler enqueues and returns at once, so GitHub gets its
// answer well within 10 s whatever the size of the pull request; the scan runs after.
//
// Behind a small interface so a durable (Redis-backed) queue can replace the in-process one later without touching
// the handlers. The in-process queue loses queued work if the process dies; a graceful stop (SIGTERM) drains it.

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export type EnqueueResult = "queued" | "collapsed" | "closed";

export interface ScanQueue {
  /**
   * Run `task` under `key` (one task per key at a time). While a task with the same key is queued or running, a new
   * request collapses into it: no second run, and its `onSettled` listener runs when that task ends.
   */
  enqueue<T>(key: string, task: () => Promise<T>, onSettled?: (result: Settled<T>) => Promise<void> | void): EnqueueResult;
  /** Resolves when nothing is queued or running (tests await this after `probot.receive`). */
  onIdle(): Promise<void>;
  stats(): { queued: number; running: number };
  /** Stop accepting work, then wait for what was accepted; false when `timeoutMs` passed first. */
  drain(timeoutMs: number): Promise<boolean>;
}

interface Entry {
  key: string;
  task: () => Promise<unknown>;
  listeners: ((result: Settled<unknown>) => Promise<void> | void)[];
}

export interface InProcessQueueOptions {
  /** Scans running at once in this process (default 4). */
  concurrency?: number;
  /** Where a listener's or task's escaped error is reported (tasks are expected to catch their own). */
  onError?: (error: unknown, key: string) => void;
}

export class InProcessScanQueue implements ScanQueue {
  readonly #concurrency: number;
  readonly #onError: (error: unknown, key: string) => void;
  readonly #entries = new Map<string, Entry>();
  readonly #waiting: Entry[] = [];
  #running = 0;
  #closed = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: InProcessQueueOptions = {}) {
    this.#concurrency = Math.max(1, options.concurrency ?? 4);
    this.#onError = options.onError ?? (() => {});
  }

  enqueue<T>(key: string, task: () => Promise<T>, onSettled?: (result: Settled<T>) => Promise<void> | void): EnqueueResult {
    if (this.#closed) return "closed";
    const listener = onSettled as Entry["listeners"][number] | undefined;
    const existing = this.#entries.get(key);
    if (existing) {
      if (listener) existing.listeners.push(listener);
      return "collapsed";
    }
    const entry: Entry = { key, task, listeners: listener ? [listener] : [] };
    this.#entries.set(key, entry);
    this.#waiting.push(entry);
    this.#pump();
    return "queued";
  }

  onIdle(): Promise<void> {
    if (this.#entries.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  stats(): { queued: number; running: number } {
    return { queued: this.#waiting.length, running: this.#running };
  }

  async drain(timeoutMs: number): Promise<boolean> {
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.onIdle().then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  #pump(): void {
    while (this.#running < this.#concurrency && this.#waiting.length > 0) {
      const entry = this.#waiting.shift()!;
      this.#running++;
      void this.#run(entry);
    }
  }

  async #run(entry: Entry): Promise<void> {
    let result: Settled<unknown>;
    try {
      result = { ok: true, value: await entry.task() };
    } catch (error) {
      this.#onError(error, entry.key);
      result = { ok: false, error };
    }
    // Listeners attached while the task ran are included: the key stays registered until they are done.
    for (let i = 0; i < entry.listeners.length; i++) {
      try {
        await entry.listeners[i]!(result);
      } catch (error) {
        this.#onError(error, entry.key);
      }
    }
    this.#entries.delete(entry.key);
    this.#running--;
    this.#pump();
    if (this.#entries.size === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
