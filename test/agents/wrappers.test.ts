// The wrappers real agents put around their model's command, recognised exactly: the
// prompt shows the inner command, and anything unknown in front of it means "not a wrapper".
import { describe, expect, it } from 'vitest';
import { isCodexStartupScript, isRcSourceReason, unwrapAgentCommand } from '../../src/agents/wrappers.js';
import { exampleGuard, exampleGuardWith } from '../helpers.js';

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const codexQ = (s: string) => `'${s.replace(/'/g, `'"'"'`)}'`;

describe("Claude Code's wrapper", () => {
  // Shapes seen from Claude Code versions (process lists, bug reports), bash and zsh.
  const samples: [string, string][] = [
    ['old bash, escaped <', `source /home/dev/.claude/shell-snapshots/snapshot-bash-1768756242719-p4cllc.sh && eval ${sq('git status')} \\< /dev/null && pwd -P >| /tmp/claude-ab12-cwd`],
    ['bash with shopt', `source /home/dev/.claude/shell-snapshots/snapshot-bash-1.sh 2>/dev/null || true && shopt -u extglob 2>/dev/null || true && eval ${sq('git status')} < /dev/null && pwd -P >| /tmp/claude-3f0a-cwd`],
    ['zsh with setopt and unalias group', `source /Users/dev/.claude/shell-snapshots/snapshot-zsh-1786687667281-uiooar.sh 2>/dev/null || true && setopt NO_EXTENDED_GLOB NO_BARE_GLOB_QUAL 2>/dev/null || true && { \\builtin unalias -- 'unsetenv'; \\builtin unset -f -- 'unsetenv'; } >/dev/null 2>&1 || true && eval ${sq('git status')} < /dev/null && pwd -P >| /tmp/claude-cb83-cwd`],
    ['zsh with exports', `source /home/dev/.claude/shell-snapshots/snapshot-zsh-1.sh 2>/dev/null || true && export TMPDIR='/tmp/claude' GIT_EDITOR=true && setopt NO_EXTENDED_GLOB 2>/dev/null || true && eval ${sq('git status')} < /dev/null && pwd -P >| /tmp/claude-ccfa-cwd`],
    ['no snapshot, environment only', `shopt -u extglob 2>/dev/null || true && TEMP='C:\\Temp' TMP='C:\\Temp' && eval ${sq('git status')} < /dev/null && pwd -P >| /tmp/cwd`],
    ['quoted snapshot and cwd file (the test agent)', `source '/var/tmp/h/.claude/shell-snapshots/snapshot-bash-test.sh' && eval ${sq('git status')} < /dev/null && pwd -P >| '/tmp/claude-4242-cwd'`],
    ['hook run, no set-up', `eval ${sq('git status')} < /dev/null && pwd -P >| /dev/null`],
    ['set +o and 2>&1', `source /h/.claude/shell-snapshots/snapshot-bash-2.sh && set +o onecmd && eval ${sq('git status')} 2>&1 && pwd -P >| /tmp/claude-1-cwd`],
  ];
  it.each(samples)('%s: shows the inner command', (_name, script) => {
    const w = unwrapAgentCommand(script);
    expect(w).toMatchObject({ agent: 'Claude Code', inner: 'git status' });
    expect(w!.wrapper).toContain("eval '…'");
    expect(w!.wrapper).not.toContain('git status');
    expect(w!.wrapper).toMatch(/pwd -P >\| \S+$/);
  });

  it.each([
    ["quotes, newlines and '\\'' escapes", `echo 'it'"'"'s' && printf '%s\\n' a\nrm -rf "dist"`],
    ['a heredoc', `cat <<'EOF'\n$HOME stays\nEOF`],
    ['an empty command', ''],
  ])('de-quotes %s exactly', (_name, cmd) => {
    const script = `source /home/dev/.claude/shell-snapshots/snapshot-bash-1.sh 2>/dev/null || true && eval ${sq(cmd)} < /dev/null && pwd -P >| /tmp/claude-1-cwd`;
    expect(unwrapAgentCommand(script)?.inner).toBe(cmd);
  });

  it.each([
    ['something else before the eval', `rm -rf ~ && eval ${sq('ls')} < /dev/null && pwd -P >| /tmp/claude-1-cwd`],
    ['a file that is not a Claude snapshot', `source ~/evil.sh && eval ${sq('ls')} < /dev/null && pwd -P >| /tmp/claude-1-cwd`],
    ['a second eval in front', `eval ${sq('rm -rf .git')} && eval ${sq('ls')} < /dev/null && pwd -P >| /tmp/claude-1-cwd`],
    ['a command after the cwd record', `eval ${sq('ls')} < /dev/null && pwd -P >| /tmp/claude-1-cwd; rm -rf .git`],
    ['a substitution in an export', `export X=$(rm -rf .git) && eval ${sq('ls')} < /dev/null && pwd -P >| /tmp/claude-1-cwd`],
    ['an unbalanced quote before the eval', `source '/h/.claude/shell-snapshots/snapshot-bash-1.sh && eval ${sq('ls')} < /dev/null && pwd -P >| /tmp/claude-1-cwd`],
    ['a plain command', 'git status'],
    ['a double-quoted eval', `eval "ls" < /dev/null && pwd -P >| /tmp/claude-1-cwd`],
  ])('is not recognised with %s', (_name, script) => {
    expect(unwrapAgentCommand(script)).toBeNull();
  });
});

describe("Codex's wrapper", () => {
  const snapshot = `if . '/home/dev/.codex/shell_snapshots/019a2b.1764590000.sh' >/dev/null 2>&1; then :; fi`;
  it('a command run after its shell snapshot', () => {
    const w = unwrapAgentCommand(`${snapshot}\n\nexec '/bin/bash' -c ${codexQ("echo 'hi' && git status")}`);
    expect(w).toMatchObject({ agent: 'Codex', inner: "echo 'hi' && git status" });
    expect(w!.wrapper).toContain("exec '/bin/bash' -c '…'");
    expect(w!.wrapper).not.toContain('git status');
  });

  it('with the variables it saves and restores around the snapshot', () => {
    const script = [
      '__CODEX_SNAPSHOT_OVERRIDE_SET_0="${CODEX_THREAD_ID+x}"',
      '__CODEX_SNAPSHOT_OVERRIDE_0="${CODEX_THREAD_ID-}"',
      '__CODEX_SNAPSHOT_PROXY_OVERRIDE_SET_0="${HTTP_PROXY+x}"',
      '__CODEX_SNAPSHOT_PROXY_OVERRIDE_0="${HTTP_PROXY-}"',
      '',
      snapshot,
      '',
      'if [ -n "${__CODEX_SNAPSHOT_OVERRIDE_SET_0}" ]; then export CODEX_THREAD_ID="${__CODEX_SNAPSHOT_OVERRIDE_0}"; else unset CODEX_THREAD_ID; fi',
      'if [ -n "${__CODEX_SNAPSHOT_PROXY_OVERRIDE_SET_0}" ]; then export HTTP_PROXY="${__CODEX_SNAPSHOT_PROXY_OVERRIDE_0}"; fi',
      '',
      `exec '/usr/bin/zsh' -c ${codexQ('npm test')}`,
    ].join('\n');
    expect(unwrapAgentCommand(script)).toMatchObject({ agent: 'Codex', inner: 'npm test' });
  });

  it.each([
    ['another command before exec', `${snapshot}\nrm -rf .git\nexec '/bin/bash' -c 'ls'`],
    ['no snapshot', `exec '/bin/bash' -c 'ls'`],
    ['a snapshot from elsewhere', `if . '/var/tmp/x.sh' >/dev/null 2>&1; then :; fi\n\nexec '/bin/bash' -c 'ls'`],
    ['exec of something that is not a shell', `${snapshot}\n\nexec '/usr/bin/python3' -c 'print(1)'`],
    ['text after the command', `${snapshot}\n\nexec '/bin/bash' -c 'ls'; rm -rf .git`],
  ])('is not recognised with %s', (_name, script) => {
    expect(unwrapAgentCommand(script)).toBeNull();
  });
});

describe("Codex's start-up script does not prompt", () => {
  // The shape of the script Codex runs once per session in the person's login shell
  // (bash -lc / zsh -lc / sh -lc) to snapshot functions, options, aliases and exports.
  const body = [
    "echo '# Snapshot file'",
    "echo '# Functions'",
    'declare -f',
    "opts=$(set -o | awk '$2==\"on\"{print $1}')",
    'echo "# setopts $(printf \'%s\\n\' "$opts" | sed \'/^$/d\' | wc -l | tr -d \' \')"',
    'alias -p',
    'export -p',
  ].join('\n');
  const zshBody = body.replace(/^echo '# Snapshot file'/, "print '# Snapshot file'");
  const starts: [string, string][] = [
    ['bash', `if [ -z "$BASH_ENV" ] && [ -r "$HOME/.bashrc" ]; then\n  . "$HOME/.bashrc"\nfi\n${body}`],
    ['zsh', `if [[ -n "$ZDOTDIR" ]]; then\n  rc="$ZDOTDIR/.zshrc"\nelse\n  rc="$HOME/.zshrc"\nfi\n[[ -r "$rc" ]] && . "$rc"\n${zshBody}`],
    ['sh', `if [ -n "$ENV" ] && [ -r "$ENV" ]; then\n  . "$ENV"\nfi\n${body}`],
  ];

  it.each(starts)('%s: recognised, and the policy finds nothing but the rc file and the copy of the exported variables', async (_shell, script) => {
    expect(isCodexStartupScript(script)).toBe(true);
    const d = (await exampleGuard()).check({ command: script });
    // The snapshot copies the exported variables into Codex's own file: where the environment may
    // hold secrets that is an environment dump by shape, and the gate's exception allows exactly that.
    expect(d.matches.every((m) => m.rule === 'environment-dump')).toBe(true);
    expect(d.opaque.every(isRcSourceReason)).toBe(true);
    const scrubbed = await exampleGuardWith({ environment: 'scrubbed' });
    expect(scrubbed.check({ command: script }).matches).toEqual([]);
  });

  it.each([
    ['another file sourced after the marker', `${starts[0][1]}\n. ./evil.sh`],
    ['rc pointed elsewhere after the marker', `${starts[1][1]}\nrc=./evil.sh\n. "$rc"`],
    ['something else before the marker', `rm -rf .git\n${body}`],
    ['no marker', 'declare -f\nalias -p'],
    // The exception exists for the person's rc file only: without one of its known blocks it is not the start-up script.
    ['no rc block before the marker', `\n${zshBody}`],
    // A forgery seen in review: no rc block, ENV from a file, and a quoted `.`.
    ['a quoted . sourcing ENV set after the marker', `echo '# Snapshot file'\nENV=$(cat cfg.txt)\n"." "$ENV"`],
  ])('not recognised with %s', (_name, script) => {
    expect(isCodexStartupScript(script)).toBe(false);
  });
});
