// The prompt on a real terminal: `agentguard shell` in a real pty, resized while a prompt
// is up, and an agent that left terminal modes set before it asked.
import path from 'node:path';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { FAKE_AGENT, makeWorld, Terminal } from './harness.js';

const world = makeWorld('prompt');
afterAll(() => world.remove());
const PROMPT = /[$#] $/m;
// The keys line: drawn after everything but the footer, so the prompt above it is complete.
const KEYS = /\[n\][^\r\n]*deny/;
const tracked = path.join(world.ws, 'tracked.txt');

describe('the prompt on a real terminal', () => {
  it('is drawn again for the new size when the terminal is resized', async () => {
    fs.writeFileSync(tracked, 'changed by hand\n');
    const t = new Terminal(['shell', '--workspace', world.ws, '--', process.execPath, FAKE_AGENT, 'name', 'git reset --hard'], { cwd: world.ws, home: world.home });
    const first = await t.waitFor(KEYS);
    // 120 columns: the long keys line.
    expect(first).toContain('[a] allow this command in this directory for the session');
    const before = t.output.length;
    t.resize(72, 16);
    const again = await t.answer('n', before, KEYS);
    // Drawn again, reset first, laid out for 72 columns.
    expect(again.indexOf('\x1b[r')).toBeGreaterThanOrEqual(0);
    expect(again.indexOf('\x1b[r')).toBeLessThan(again.indexOf('needs your approval'));
    expect(again).toContain('[a] this command here, this session');
    expect(again).toContain('git-reset-hard');
    expect(await t.waitFor(/AGENT-DONE \d+/)).toContain('AGENT-DONE 126');
    expect(fs.readFileSync(tracked, 'utf8')).toBe('changed by hand\n');
    await t.exit();
  });

  it('a command of 500 lines keeps the question and the keys on a 120x40 screen, with the line that matched', async () => {
    fs.writeFileSync(tracked, 'changed by hand\n');
    const command = Array.from({ length: 500 }, (_, i) => (i === 300 ? 'git reset --hard' : `echo step ${i} >/dev/null`)).join('\n');
    const t = new Terminal(['shell', '--workspace', world.ws, '--', process.execPath, FAKE_AGENT, 'name', command], { cwd: world.ws, home: world.home });
    // The footer is the last line drawn: the whole prompt is on screen when it is.
    const screen = await t.answer('n', 0, 'never reach the agent');
    const draw = screen.slice(screen.lastIndexOf('\x1b[2J\x1b[H') + 7);
    const lines = draw.split('\n');
    expect(lines.length).toBeLessThanOrEqual(40);
    expect(lines[0]).toContain('needs your approval');
    expect(draw).toContain('git-reset-hard: --hard');
    expect(draw).toContain('    git reset --hard');
    expect(draw).toMatch(/… \d+ more lines \(the whole command is in the log\)/);
    expect(lines.at(-2)).toContain('[y] allow once');
    expect(await t.waitFor(/AGENT-DONE \d+/)).toContain('AGENT-DONE 126');
    expect(fs.readFileSync(tracked, 'utf8')).toBe('changed by hand\n');
    await t.exit();
  });

  it("shows the command inside Claude Code's wrapper, and the wrapper once as context", async () => {
    // The claude way runs as a program named `claude`, so the session picks Claude Code's profile.
    const claude = path.join(world.base, 'bin', 'claude');
    fs.mkdirSync(path.dirname(claude), { recursive: true });
    if (!fs.existsSync(claude)) fs.symlinkSync(FAKE_AGENT, claude);
    fs.chmodSync(FAKE_AGENT, 0o755);
    fs.writeFileSync(tracked, 'changed by hand\n');
    const t = new Terminal(['shell', '--workspace', world.ws, '--', claude, 'claude', 'git reset --hard'], { cwd: world.ws, home: world.home });
    const screen = await t.answer('n', 0, KEYS);
    const prompt = screen.slice(screen.lastIndexOf('\x1b[?1049h'));
    expect(prompt).toMatch(/\n {4}git reset --hard\r/);
    expect(prompt.split("run by Claude Code's wrapper: source").length - 1).toBe(1);
    expect(prompt).toContain("eval '…'");
    expect(await t.waitFor(/AGENT-DONE \d+/)).toContain('AGENT-DONE 126');
    expect(fs.readFileSync(tracked, 'utf8')).toBe('changed by hand\n');
    await t.exit();
  });

  it('resets the modes the agent left on, and gives them back after the answer', async () => {
    const t = new Terminal(['shell', '--workspace', world.ws], { cwd: world.ws, home: world.home });
    await t.waitFor(PROMPT);
    // The "agent" turns on mouse tracking, sets a scroll region and hides the cursor.
    t.type("printf '\\033[?1000h\\033[3;20r\\033[?25l'; echo MODES-SET\r");
    await t.waitFor('\x1b[?25lMODES-SET');
    fs.writeFileSync(tracked, 'changed by hand\n');
    const before = t.output.length;
    t.type('git reset --hard\r');
    const screen = await t.answer('n', before, KEYS);
    const draw = screen.slice(screen.lastIndexOf('\x1b[?1049h'));
    const text = draw.indexOf('needs your approval');
    for (const reset of ['\x1b[?1000l', '\x1b[r', '\x1b[?25h']) {
      expect(draw.indexOf(reset)).toBeGreaterThanOrEqual(0);
      expect(draw.indexOf(reset)).toBeLessThan(text);
    }
    const after = await t.waitFor(/refused at the prompt|denied/, 10_000, before);
    // The keyboard flags pushed for the prompt are popped before the agent's screen comes back.
    expect(after.lastIndexOf('\x1b[<u')).toBeGreaterThan(after.indexOf('\x1b[>0u'));
    expect(after.indexOf('\x1b[>0u')).toBeGreaterThanOrEqual(0);
    const back = after.slice(after.lastIndexOf('\x1b[?1049l'));
    expect(back).toContain('\x1b[3;20r');
    expect(back).toContain('\x1b[?1000h');
    expect(back).toContain('\x1b[?25l');
    expect(fs.readFileSync(tracked, 'utf8')).toBe('changed by hand\n');
    t.type('exit\r');
    await t.exit();
  });
});
