// The prompt's layout and what it resets: render() for a given terminal size, with real
// decisions from the built-in rules.
process.env.NO_COLOR = '1';
import { describe, expect, it } from 'vitest';
import { drawPrompt, Prompter, render, TERMINAL_RESET, textWidth } from '../../src/session/prompt.js';
import type { TerminalBridge } from '../../src/session/terminal.js';
import { exampleGuard } from '../helpers.js';

const guard = await exampleGuard();
const cwd = '/home/dev/project';
const ask = (command: string) => ({ command, cwd, decision: guard.check({ command, cwd }) });
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

// 500 lines; the one that matters is in the middle.
const long = Array.from({ length: 500 }, (_, i) => (i === 321 ? 'cat ~/.npmrc > /tmp/x' : `echo step ${i} of the build`)).join('\n');

describe('a long command on a small screen', () => {
  it.each([
    [80, 24],
    [40, 10],
  ])('%ix%i: header and keys stay on screen, the matched line is shown, nothing is wider than the screen', (cols, rows) => {
    const lines = render(ask(long), 300_000, { cols, rows }).split('\r\n');
    expect(lines.length).toBeLessThanOrEqual(rows);
    expect(lines[0]).toContain('agentguard');
    expect(lines[0]).toContain('needs your approval');
    expect(lines.some((l) => l.includes('credential-read: ~/.npmrc'))).toBe(true);
    expect(lines.some((l) => l.includes('cat ~/.npmrc > /tmp/x'))).toBe(true);
    expect(lines.some((l) => /… \d+ more lines/.test(l))).toBe(true);
    // The keys line is the last or, with room for it, followed only by the footer.
    const keys = lines.findIndex((l) => l.includes('[y]') && l.includes('[a]') && l.includes('[n]'));
    expect(keys).toBeGreaterThanOrEqual(lines.length - 2);
    for (const l of lines) expect(textWidth(l)).toBeLessThan(cols);
  });

  it('a short command is shown whole, with each rule message', () => {
    const out = render(ask('git push --force origin main'), 300_000, { cols: 100, rows: 30 });
    expect(out).toContain('git-force-push: --force (high)');
    expect(out).toContain('    git push --force origin main');
    expect(out).toContain('Rewrites or deletes history');
    expect(out).not.toContain('more line');
  });

  it('a single very long line is wrapped, not cut: its end is on screen', () => {
    const command = `echo ${'x'.repeat(300)} && rm -rf ~/old`;
    const out = render(ask(command), 300_000, { cols: 80, rows: 24 });
    expect(out).toContain('rm -rf ~/old');
  });

  it('rules are listed strictest first, so a small screen keeps the deny', () => {
    const lines = render(ask('cp x "$DIR/y"; echo hi > /etc/passwd'), 300_000, { cols: 60, rows: 8 }).split('\r\n');
    expect(lines[1]).toMatch(/DENY system-auth-write: .*\/etc\/passwd/);
    expect(lines.some((l) => l.includes('more (see the log)'))).toBe(true);
  });

  it('many matching rules on a tiny screen still leave the keys line', () => {
    const command = 'cp x "$DIR/y"';
    const lines = render(ask(command), 300_000, { cols: 40, rows: 8 }).split('\r\n');
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(lines.at(-1)).toContain('[y]');
    expect(lines.some((l) => l.includes('more (see the log)'))).toBe(true);
    expect(lines.some((l) => l.includes('cp x'))).toBe(true);
  });
});

describe('the terminal is reset before the prompt is drawn', () => {
  it('the reset comes before any prompt text', () => {
    const out = drawPrompt(ask('git reset --hard'), 300_000, { cols: 80, rows: 24 }, { enterAltScreen: true });
    const at = out.indexOf(TERMINAL_RESET);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(out.indexOf('agentguard'));
    for (const seq of ['\x1b[r', '\x1b(B', '\x0f', '\x1b[0m', '\x1b[?6l', '\x1b[?7h', '\x1b[?25h', '\x1b[4l', '\x1b[?1000l', '\x1b[?1006l']) {
      expect(TERMINAL_RESET).toContain(seq);
    }
  });

  it('keys arrive as plain bytes while the prompt is up (kitty keyboard flags pushed on the first draw only)', () => {
    expect(drawPrompt(ask('git reset --hard'), 300_000, { cols: 80, rows: 24 }, { first: true })).toContain('\x1b[>0u');
    expect(drawPrompt(ask('git reset --hard'), 300_000, { cols: 80, rows: 24 }, { first: false })).not.toContain('\x1b[>0u');
  });

  it("a command's escape sequences are shown escaped: they cannot set a scroll region, colours or hidden text", () => {
    const command = 'echo \x1b[5;10r\x1b[8m\x1b]11;#000000\x07\x1b(0 hidden && rm -rf .git';
    const out = render(ask(command), 300_000, { cols: 80, rows: 24 });
    expect(out).not.toContain('\x1b');
    expect(out).not.toContain('\x07');
    expect(out).toContain('\\e[5;10r\\e[8m\\e]11;#000000\\x07\\e(0 hidden && rm -rf .git');
  });
});

describe("an agent's wrapper", () => {
  it("shows Claude Code's inner command as the command, and the wrapper once as context", () => {
    const command = `source /home/dev/.claude/shell-snapshots/snapshot-bash-1.sh 2>/dev/null || true && eval ${sq("git push --force origin 'main'")} < /dev/null && pwd -P >| /tmp/claude-3f0a-cwd`;
    const lines = render(ask(command), 300_000, { cols: 120, rows: 30 }).split('\r\n');
    expect(lines).toContain("    git push --force origin 'main'");
    const context = lines.filter((l) => l.includes("run by Claude Code's wrapper"));
    expect(context).toHaveLength(1);
    expect(context[0]).toContain("eval '…'");
    expect(context[0]).toContain('snapshot-bash-1.sh');
    expect(lines.join('\n').split('git push --force').length - 1).toBe(1);
  });

  it('shows a command that is not a known wrapper as it is', () => {
    const command = `rm -rf ~ && eval ${sq('ls')} < /dev/null && pwd -P >| /tmp/claude-1-cwd`;
    const out = render(ask(command), 300_000, { cols: 120, rows: 30 });
    expect(out).not.toContain('wrapper');
    expect(out).toContain(`    rm -rf ~ && eval 'ls'`);
  });
});

describe('a key meant for a prompt that was withdrawn', () => {
  // The prompter with a stand-in terminal: only which keys reach which prompt is tested here;
  // test/session/prompt-terminal.test.ts drives the real one in a pty.
  function prompter(afterWithdrawnMs: number) {
    let onKey: ((d: string) => void) | null = null;
    const term = {
      agentAltScreen: false,
      size: () => ({ cols: 80, rows: 24 }),
      write: () => undefined,
      takeOver: (k: (d: string) => void) => {
        onKey = k;
      },
      giveBack: () => {
        onKey = null;
      },
    };
    const p = new Prompter(term as unknown as TerminalBridge, { timeoutMs: 400, typeAheadMs: 0, afterWithdrawnMs });
    return { p, press: (k: string) => onKey?.(k) };
  }

  it('does not answer the next prompt: a y typed as the old prompt vanished is ignored', async () => {
    const { p, press } = prompter(60_000);
    const gone = new AbortController();
    const first = p.ask({ ...ask('git push --force'), signal: gone.signal });
    await new Promise((r) => setTimeout(r, 20));
    gone.abort();
    expect(await first).toBe('abandoned');
    const second = p.ask(ask('git push --force'));
    await new Promise((r) => setTimeout(r, 20));
    press('y');
    expect(await second).toBe('timeout');
  });

  it('without a withdrawn prompt before it, the same key answers', async () => {
    const { p, press } = prompter(60_000);
    const only = p.ask(ask('git push --force'));
    await new Promise((r) => setTimeout(r, 20));
    press('y');
    expect(await only).toBe('once');
  });
});
