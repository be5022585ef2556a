// What `agentguard doctor` says about log sinks: the configured ones, and for every sink a
// writer used (config or --log-sink) what its last run delivered and what was lost, from
// sinks.json in agentguard's state directory.
import fs from 'node:fs';
import path from 'node:path';
import type { UserConfig } from '../config/user.js';
import { stateDir } from '../log/store.js';
import { readSinkHistory } from './history.js';
import { deliveryRunning } from './spool.js';
import { parseSinkSpec } from './spec.js';

export interface SinkLine {
  ok: boolean | null;
  what: string;
  detail?: string;
  fix?: string;
}

export function sinkLines(config: UserConfig | null, env: NodeJS.ProcessEnv = process.env): SinkLine[] {
  const configured = config?.log?.sinks ?? [];
  const history = readSinkHistory(env);
  const out: SinkLine[] = [];
  if (!configured.length && !Object.keys(history).length) {
    return [{ ok: null, what: 'log sinks: none (--log-sink SPEC or config.yaml log.sinks ships every record to a file, syslog or an OTLP/HTTP collector)' }];
  }
  for (const spec of configured) {
    try {
      parseSinkSpec(spec);
    } catch (e) {
      out.push({ ok: false, what: `log sink ${spec} in ${config!.file}: not usable`, detail: (e as Error).message.split('\n')[0], fix: 'write it in one of the forms agentguard shell --help lists for --log-sink' });
    }
  }
  const specs = [...new Set([...configured.map((s) => s.trim()), ...Object.keys(history)])];
  for (const spec of specs) {
    const h = history[spec];
    const via = configured.some((s) => s.trim() === spec) ? 'config.yaml' : '--log-sink';
    if (!h) {
      out.push({ ok: null, what: `log sink ${spec} (${via}): not used yet` });
      continue;
    }
    const totals = `since ${stateDir(env)}/sinks.json was created: ${h.sent} delivered, ${h.lost} lost`;
    if (h.last.lost) {
      out.push({
        ok: false,
        what: `log sink ${spec} (${via}): its last run lost ${h.last.lost} record${h.last.lost === 1 ? '' : 's'} (${h.last.time})${h.last.error ? `: ${h.last.error}` : ''}`,
        detail: `${totals}${h.lastLoss?.sessions.length ? `; sessions: ${h.lastLoss.sessions.join(', ')}` : ''}`,
        fix: 'check that the receiver is up and reachable; every lost record is still in the session log (agentguard log SESSION), and each loss is a sink-loss record there',
      });
    } else {
      out.push({ ok: true, what: `log sink ${spec} (${via}): its last run delivered ${h.last.sent} record${h.last.sent === 1 ? '' : 's'} (${h.last.time})`, detail: `${totals}${h.lastLoss ? `; last loss ${h.lastLoss.time}: ${h.lastLoss.lost}` : ''}` });
    }
  }
  // A delivery process that died leaves its spool: those records never reached their sinks.
  const spool = path.join(stateDir(env), 'sink-spool');
  let left: string[] = [];
  try {
    // While a delivery process runs, its files are in flight, not left.
    if (!deliveryRunning(path.join(spool, 'deliver.pid'))) left = fs.readdirSync(spool).filter((f) => f.endsWith('.jsonl'));
  } catch {
    // none
  }
  if (left.length) out.push({ ok: false, what: `log sinks: ${left.length} delivery spool file${left.length === 1 ? '' : 's'} of check or hook records were never delivered`, detail: spool });
  return out;
}
