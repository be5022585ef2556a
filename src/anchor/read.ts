// Reading heads back from the anchor for `agentguard log verify`: the journal through
// `journalctl -o json SYSLOG_IDENTIFIER=agentguard-anchor`, syslog from the files the daemon
// writes (config.yaml log.syslog.files). Which heads are this person's is decided by their
// MAC, in src/log/verify.ts: anyone can add a line to syslog.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { AnchorHead } from '../log/store.js';
import type { AnchorReading } from '../log/verify.js';
import { ANCHOR_TAG, parseAnchorLine, type AnchorSettings } from './settings.js';

export function readAnchor(kind: string, settings: AnchorSettings): AnchorReading {
  if (kind === 'journald') return readJournal();
  if (kind === 'syslog') return readSyslogFiles(settings.files);
  return { kind, ok: false, problem: `unknown anchor ${kind}`, heads: [] };
}

function readJournal(): AnchorReading {
  const r = spawnSync('journalctl', ['-o', 'json', '--no-pager', `SYSLOG_IDENTIFIER=${ANCHOR_TAG}`], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: 60_000 });
  if (r.error || r.status !== 0) return { kind: 'journald', ok: false, problem: `journalctl failed: ${r.error?.message ?? r.stderr.trim().split('\n')[0] ?? `exit ${r.status}`}`, heads: [] };
  // Without read access journalctl succeeds with nothing, and says so only on stderr.
  const denied = /insufficient permissions|No journal files were (found|opened)/i.exec(r.stderr);
  if (denied && !r.stdout.trim()) return { kind: 'journald', ok: false, problem: `${r.stderr.trim().split('\n')[0]} (add yourself to the systemd-journal group, or run verify as root)`, heads: [] };
  const heads: AnchorHead[] = [];
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as { MESSAGE?: string | number[] };
      const text = Array.isArray(e.MESSAGE) ? Buffer.from(e.MESSAGE).toString('utf8') : e.MESSAGE;
      const h = text ? parseAnchorLine(text) : null;
      if (h) heads.push(h);
    } catch {
      // not an entry
    }
  }
  return { kind: 'journald', ok: true, heads };
}

function readSyslogFiles(files: string[]): AnchorReading {
  const heads: AnchorHead[] = [];
  const problems: string[] = [];
  let read = 0;
  for (const f of files) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') problems.push(`${f}: ${code ?? (e as Error).message}`);
      continue;
    }
    read++;
    for (const line of text.split('\n')) {
      if (!line.includes(ANCHOR_TAG)) continue;
      const h = parseAnchorLine(line);
      if (h) heads.push(h);
    }
  }
  if (!read) return { kind: 'syslog', ok: false, problem: `none of ${files.join(', ')} could be read${problems.length ? ` (${problems.join('; ')}: run as root or in group adm, or set log.syslog.files)` : ''}`, heads };
  return { kind: 'syslog', ok: true, heads };
}
