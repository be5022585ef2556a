// `agentguard shell` with a broken user rule file, in a real pty: the session starts with the
// built-in rules and says what is wrong below its start line; --strict-rules refuses to start.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeWorld, Terminal } from './harness.js';

const world = makeWorld('rule-warnings');
afterAll(() => world.remove());
const rules = path.join(world.home, '.config', 'agentguard', 'rules');
fs.mkdirSync(rules, { recursive: true });
const file = path.join(rules, 'node-package-install.yaml');
fs.writeFileSync(file, 'id: node-package-install\naction: allow\n');

describe('a session with a broken user rule file', () => {
  it('starts, and the start line area names the file, the problem and the fix', async () => {
    const t = new Terminal(['shell', '--no-sandbox', '--workspace', world.ws, '--', 'true'], { cwd: world.ws, home: world.home });
    const out = await t.waitFor('agentguard rules disable node-package-install');
    expect(out).toMatch(/session \S+ \| workspace/);
    expect(out).toContain(`agentguard: warning: rule file problem: ${file}:1:`);
    await t.exit();
  });

  it('--strict-rules refuses to start (exit 3) with the old message', async () => {
    const t = new Terminal(['shell', '--strict-rules', '--no-sandbox', '--workspace', world.ws, '--', 'true'], { cwd: world.ws, home: world.home });
    expect(await t.waitFor('rule files have errors (nothing was checked)')).toContain(file);
    expect(await t.exit()).toBe(3);
  });
});
