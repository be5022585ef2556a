// One lifecycle for everything a session creates: each resource is registered the moment it
// exists (runtime directory, private /tmp, socket server, proxy, forwards, cgroup …) and
// released in reverse order on every way out: the agent's exit, a failure half-way through
// start-up, SIGTERM or SIGHUP to agentguard. A resource that fails to release does not stop
// the others from being released.

export interface Resource {
  name: string;
  release(): void | Promise<void>;
}

export class StartAborted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`start-up interrupted by ${signal}`);
  }
}

export class Lifecycle {
  private resources: Resource[] = [];
  private released = false;
  /** The signal that arrived during start-up, if any. */
  aborted: NodeJS.Signals | null = null;
  /** Set once the agent runs: a signal is then passed on to it, and its exit ends the session. */
  forward: ((sig: NodeJS.Signals) => void) | null = null;
  private handlers: [NodeJS.Signals, () => void][] = [];

  constructor(signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP']) {
    for (const s of signals) {
      const h = () => {
        if (this.forward) this.forward(s);
        else this.aborted ??= s;
      };
      process.on(s, h);
      this.handlers.push([s, h]);
    }
  }

  add(name: string, release: () => void | Promise<void>): void {
    if (this.released) {
      // Created after the end (a late callback): release at once.
      void Promise.resolve().then(release);
      return;
    }
    this.resources.push({ name, release });
  }

  /** Throws StartAborted if a signal arrived: called between start-up steps. */
  check(): void {
    if (this.aborted) throw new StartAborted(this.aborted);
  }

  /** What is held right now, in creation order (for tests and --dry-run's wording). */
  held(): string[] {
    return this.resources.map((r) => r.name);
  }

  /** Releases everything, newest first; returns what could not be released. */
  async releaseAll(): Promise<string[]> {
    this.released = true;
    const failed: string[] = [];
    for (const r of this.resources.reverse()) {
      try {
        await r.release();
      } catch (e) {
        failed.push(`${r.name}: ${(e as Error).message}`);
      }
    }
    this.resources = [];
    for (const [s, h] of this.handlers) process.off(s, h);
    this.handlers = [];
    return failed;
  }
}
