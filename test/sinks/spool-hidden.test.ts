// The sink spool (sink-spool/: records of checks and hooks waiting for the delivery process,
// and the sink specs, URLs included) holds what the session logs hold, which the sandbox hides:
// an agent inside must not read it either.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAKE_AGENT, makeWorld, sandboxWorks, Terminal } from '../session/harness.js';

const world = makeWorld('spoolhidden');
afterAll(() => world.remove());

describe.skipIf(!sandboxWorks())('the sink spool inside the sandbox', () => {
  it('is not readable by the agent', async () => {
    const spool = path.join(world.home, '.local', 'state', 'agentguard', 'sink-spool');
    fs.mkdirSync(spool, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(spool, 'pending.jsonl'), '{"specs":["otlp-http://collector:4318"]}\n{"command":"SPOOLED-RECORD-MARKER"}\n', { mode: 0o600 });
    const t = new Terminal(['shell', '--workspace', world.ws, '--', process.execPath, FAKE_AGENT, 'name', `cat ${spool}/pending.jsonl; echo "cat-status=$?"`], { cwd: world.ws, home: world.home });
    const out = await t.waitFor(/AGENT-DONE \d+/);
    await t.exit();
    expect(out).toMatch(/cat-status=[1-9]/);
    expect(out).not.toContain('SPOOLED-RECORD-MARKER');
    // Outside, it is untouched for the delivery process.
    expect(fs.readFileSync(path.join(spool, 'pending.jsonl'), 'utf8')).toContain('SPOOLED-RECORD-MARKER');
  }, 60_000);
});
