// The file sink against an agent that can write the sink's directory (/tmp without the sandbox
// is a write root, and `file:/tmp/agentguard.jsonl` is a natural choice): a hard link planted at
// the sink's path to a file of the person's (~/.bashrc) must not have agentguard append the
// agent's command text to it, where bash would run any $(...) in it at the next login.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLogSinks } from '../../src/sinks/index.js';

const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-sinkhunt-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe('file sink', () => {
  it('a hard link planted at the sink path is refused: the file it shares is untouched, and the loss is reported', async () => {
    const bashrc = path.join(base, 'bashrc');
    fs.writeFileSync(bashrc, '# the person\'s rc file\n');
    const sink = path.join(base, 'agentguard.jsonl');
    fs.linkSync(bashrc, sink);
    const sinks = openLogSinks([`file:${sink}`], { env: { XDG_STATE_HOME: path.join(base, 'state') } })!;
    const r = { v: 1 as const, session: 'unit', seq: 0, time: new Date(0).toISOString(), type: 'decision', command: 'echo $(touch /var/tmp/pwned)', prev: '0', hash: '0' };
    sinks.onAppend(r, JSON.stringify(r));
    const [f] = await sinks.close({ boundMs: 1000 });
    expect(f).toMatchObject({ sent: 0, unsent: 1 });
    expect(f.error).toMatch(/other names \(hard links\)/);
    expect(fs.readFileSync(bashrc, 'utf8')).toBe('# the person\'s rc file\n');
  });

  it('a sink file of its own still receives the records', async () => {
    const sink = path.join(base, 'own.jsonl');
    const sinks = openLogSinks([`file:${sink}`], { env: { XDG_STATE_HOME: path.join(base, 'state2') } })!;
    const r = { v: 1 as const, session: 'unit', seq: 0, time: new Date(0).toISOString(), type: 'decision', prev: '0', hash: '0' };
    sinks.onAppend(r, JSON.stringify(r));
    const [f] = await sinks.close({ boundMs: 1000 });
    expect(f).toMatchObject({ sent: 1 });
    expect(fs.readFileSync(sink, 'utf8')).toBe(JSON.stringify(r) + '\n');
  });
});
