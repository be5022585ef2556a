// The delivery process's lock (sink-spool/deliver.pid) after that process died without removing
// it (SIGKILL, OOM, a reboot): once its pid is reused by another process, checks and hooks must
// not believe a delivery is running, or their network sinks' records stay spooled for good.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { takeLock } from '../../src/sinks/deliver.js';
import { deliveryRunning } from '../../src/sinks/spool.js';

const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-lock-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe('the delivery lock', () => {
  it('names its holder by pid and start time: a live pid with another start time is a stale lock', () => {
    const lock = path.join(base, 'deliver.pid');
    // This test's own pid stands for a reused one: alive, but not started when the lock was written.
    fs.writeFileSync(lock, `${process.pid} 1`);
    expect(deliveryRunning(lock)).toBe(false);
    expect(takeLock(lock)).toBe(true);
    expect(fs.readFileSync(lock, 'utf8')).toMatch(new RegExp(`^${process.pid} \\d+$`));
    expect(deliveryRunning(lock)).toBe(true);
  });
});
