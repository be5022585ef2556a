// config.yaml's log.sinks for the short-lived writers (`check`, the hooks): nothing is loaded
// unless the person configured a sink, so a cold check without one pays nothing.
import type { UserConfig } from '../config/user.js';
import type { LogRecord } from '../log/store.js';

export interface DailySinks {
  onAppend: (record: LogRecord, line: string) => void;
  /** After the answer is written: file sinks appended, network sinks handed to a detached delivery process. */
  finish: () => Promise<void>;
}

/** A sink the config names but that cannot be used is said on stderr; the decision and the log stand. */
export async function dailySinks(config: UserConfig | null | undefined, warn: (message: string) => void): Promise<DailySinks | null> {
  if (!config?.log?.sinks?.length) return null;
  try {
    const { shortLivedSinks } = await import('./spool.js');
    const sinks = shortLivedSinks(config.log.sinks, { queue: config.log.queue });
    return sinks && { onAppend: sinks.onAppend, finish: () => sinks.finish().catch((e: Error) => warn(`log sinks: ${e.message}`)) };
  } catch (e) {
    warn(`log sinks in ${config.file} not used: ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
}
