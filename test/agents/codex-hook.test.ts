// Codex's hook for one run (src/agents/codex-hook.ts): the -c overrides, the trust hash Codex
// checks before it runs the hook, the person's own arguments that would undo it, and what the
// start line says about shells nothing checks (src/agents/unchecked.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codexHookArgs, codexPackageVersion, codexTrustHash, conflictingArgument, managedHooksOnly, VERIFIED_WITH, withCodexHook } from '../../src/agents/codex-hook.js';
import { uncheckedShellsNote } from '../../src/agents/unchecked.js';
import { hookCommand } from '../../src/hooks/command.js';
import { withAgentHook } from '../../src/hooks/inject.js';

const tmp = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'agentguard-codex-hook-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The value of one `-c key=value` override. */
function override(args: string[], key: string): string {
  const i = args.findIndex((a, n) => args[n - 1] === '-c' && a.startsWith(`${key}=`));
  expect(i, `-c ${key}=… among ${JSON.stringify(args)}`).toBeGreaterThan(0);
  return args[i].slice(key.length + 1);
}

/** The TOML basic string after `name=` in an inline table, read back. */
function tomlField(inline: string, name: string): string {
  const m = new RegExp(`\\b${name}=("(?:[^"\\\\]|\\\\.)*")`).exec(inline);
  expect(m, `${name}= in ${inline}`).not.toBeNull();
  return JSON.parse(m![1]) as string;
}

describe("the trust Codex needs before it runs a hook", () => {
  it('is the hash codex-cli 0.171.0 accepted for this exact hook (checked with the real binary: a wrong hash and the hook is skipped)', () => {
    expect(codexTrustHash('/var/tmp/cxexp/hook.sh')).toBe('sha256:50a2b5978b0eb57eb7bacfcc29c54f1b6a920801a15e494573e40921080c8147');
  });
  it('trusts that one hook alone: another command has another hash', () => {
    expect(codexTrustHash('/var/tmp/other-hook.sh')).not.toBe(codexTrustHash('/var/tmp/cxexp/hook.sh'));
  });
  it('is recorded under the key of the first hook of the command line layer, with the hash of the hook written there', () => {
    const cmd = hookCommand('codex');
    const state = override(codexHookArgs(cmd), 'hooks.state');
    expect(state).toBe(`{"/<session-flags>/config.toml:pre_tool_use:0:0"={trusted_hash="${codexTrustHash(cmd)}"}}`);
  });
});

describe('the -c overrides', () => {
  const cmd = hookCommand('codex');
  const args = codexHookArgs(cmd);
  it('switch hooks on (a project config cannot switch them off) and add one PreToolUse hook for the Bash tool', () => {
    expect(override(args, 'features.hooks')).toBe('true');
    const hooks = override(args, 'hooks.PreToolUse');
    expect(hooks).toMatch(/^\[\{matcher="Bash",hooks=\[\{type="command",command=".*",timeout=600,statusMessage="[^"]*"\}\]\}\]$/);
  });
  it("carry agentguard's hook command exactly, quotes and all", () => {
    expect(cmd).toMatch(/'.*"/); // the fallback has both kinds of quote
    expect(tomlField(override(args, 'hooks.PreToolUse'), 'command')).toBe(cmd);
  });
  it('escape what TOML needs escaped: backslashes, double quotes, control characters, DEL', () => {
    const odd = `/opt/a "b"\\c\td\x7fé/agentguard.js hook codex`;
    const written = override(codexHookArgs(odd), 'hooks.PreToolUse');
    expect(written).not.toMatch(/[\t\x7f]/);
    expect(tomlField(written, 'command')).toBe(odd);
  });
});

describe("the person's own arguments that would undo the hook", () => {
  it.each([
    [['-c', 'hooks.PreToolUse=[]'], '-c hooks.PreToolUse=[]'],
    [['exec', '--config', 'hooks={}', 'hi'], '--config hooks={}'],
    [['-chooks.state={}'], '-c hooks.state={}'],
    [['--config=hooks.PreToolUse=[]'], '--config hooks.PreToolUse=[]'],
    [['--disable', 'hooks'], '--disable hooks'],
    [['--disable=codex_hooks'], '--disable codex_hooks'],
    [['-c', 'features.hooks=false'], '-c features.hooks=false'],
    [['-c', 'features.codex_hooks = false'], '-c features.codex_hooks = false'],
    [['-c', 'features={hooks=false}'], '-c features={hooks=false}'],
  ])('%j conflicts', (args, named) => {
    expect(conflictingArgument(args)).toBe(named);
  });
  it.each([
    [[]],
    [['exec', '-c', 'model="o3"', 'fix the build']],
    [['-c', 'features.hooks=true']],
    [['--enable', 'hooks']],
    [['--disable', 'web_search']],
    [['--dangerously-bypass-hook-trust']],
    [['exec', '--', '-c', 'hooks={}']],
    [['-c', 'features={web_search=false}']],
  ])('%j does not', (args) => {
    expect(conflictingArgument(args)).toBeNull();
  });
});

describe('withCodexHook', () => {
  const none = path.join(tmp, 'no-requirements.toml');
  it("puts the overrides right after the program, before the person's own arguments", () => {
    const r = withCodexHook(['/usr/bin/codex', 'exec', 'hi'], 'HOOK', { requirementsFile: none });
    expect(r.skipped).toBeNull();
    expect(r.command).toEqual(['/usr/bin/codex', ...codexHookArgs('HOOK'), 'exec', 'hi']);
  });
  it('leaves the command alone and says why when the person switched hooks off on the command line', () => {
    const r = withCodexHook(['codex', '--disable', 'hooks'], 'HOOK', { requirementsFile: none });
    expect(r.command).toEqual(['codex', '--disable', 'hooks']);
    expect(r.skipped).toContain('`--disable hooks`');
  });
  it('leaves the command alone and says why when requirements allow only managed hooks', () => {
    const req = path.join(tmp, 'requirements.toml');
    fs.writeFileSync(req, '# managed\nallow_managed_hooks_only = true\n');
    expect(managedHooksOnly(req)).toBe(true);
    const r = withCodexHook(['codex'], 'HOOK', { requirementsFile: req });
    expect(r.command).toEqual(['codex']);
    expect(r.skipped).toContain('allow_managed_hooks_only');
    fs.writeFileSync(req, 'allow_managed_hooks_only = false\n');
    expect(managedHooksOnly(req)).toBe(false);
  });
  it('is what a session does for the codex profile: no variable, no file, CODEX_HOME untouched', () => {
    const runtime = fs.mkdtempSync(path.join(tmp, 'run-'));
    const r = withAgentHook(['codex', 'exec', 'hi'], 'codex', runtime, { HOME: tmp });
    expect(r.env).toEqual({});
    expect(fs.readdirSync(runtime)).toEqual([]);
    if (!managedHooksOnly()) expect(r.command).toEqual(['codex', ...codexHookArgs(hookCommand('codex')), 'exec', 'hi']);
  });
});

describe('a Codex older than the release the hook was checked with', () => {
  /** An npm install of @openai/codex at this version: node_modules/.bin/codex → ../@openai/codex/bin/codex.js. */
  function npmCodex(version: string): string {
    const nm = fs.mkdtempSync(path.join(tmp, 'nm-'));
    const pkg = path.join(nm, '@openai', 'codex');
    fs.mkdirSync(path.join(pkg, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@openai/codex', version }));
    fs.writeFileSync(path.join(pkg, 'bin', 'codex.js'), '#!/usr/bin/env node\n', { mode: 0o755 });
    fs.mkdirSync(path.join(nm, '.bin'));
    fs.symlinkSync('../@openai/codex/bin/codex.js', path.join(nm, '.bin', 'codex'));
    return path.join(nm, '.bin');
  }
  const none = { requirementsFile: path.join(tmp, 'no-requirements.toml') };
  it('is found through PATH and the npm package it runs', () => {
    expect(codexPackageVersion('codex', `/nonexistent:${npmCodex('0.150.2')}`)).toBe('0.150.2');
    expect(codexPackageVersion(path.join(npmCodex('1.2.3'), 'codex'), '')).toBe('1.2.3');
  });
  it('a Codex that is not the npm package has no version to go by', () => {
    const bin = fs.mkdtempSync(path.join(tmp, 'bin-'));
    fs.writeFileSync(path.join(bin, 'codex'), '#!/bin/sh\n', { mode: 0o755 });
    expect(codexPackageVersion('codex', bin)).toBeNull();
    expect(codexPackageVersion('codex', '')).toBeNull();
  });
  it('still gets the hook, with a warning that says how to tell whether it runs', () => {
    const r = withCodexHook(['codex'], 'HOOK', { ...none, env: { PATH: npmCodex('0.150.0') } });
    expect(r.command).toEqual(['codex', ...codexHookArgs('HOOK')]);
    expect(r.warning).toContain(`codex-cli 0.150.0 is older than ${VERIFIED_WITH}`);
    expect(r.warning).toContain('"hook: PreToolUse"');
  });
  it.each([VERIFIED_WITH, '0.172.0', '1.0.0-alpha.1'])('%s: no warning', (version) => {
    expect(withCodexHook(['codex'], 'HOOK', { ...none, env: { PATH: npmCodex(version) } }).warning).toBeUndefined();
  });
});

describe('what the start line says about shells nothing checks', () => {
  it('in the sandbox: nothing (every shell binary is the shim)', () => {
    for (const agent of ['codex', 'aider', 'cursor', 'claude']) expect(uncheckedShellsNote(agent, true, { injected: false, skipped: null })).toBeNull();
  });
  it("codex with the hook: its own commands are checked by the hook, shells they start by absolute path are not", () => {
    const n = uncheckedShellsNote('codex', false, { injected: true, skipped: null })!;
    expect(n).toContain("checked by agentguard's hook");
    expect(n).toContain('NOT checked');
  });
  it('codex without it: UNGUARDED, and what to do', () => {
    const n = uncheckedShellsNote('codex', false, { injected: false, skipped: 'codex was given `--disable hooks`' })!;
    expect(n).toContain('codex runs UNGUARDED');
    expect(n).toContain('remove what is named above, or run the session with the sandbox');
  });
  it.each(['aider', 'cursor'])('%s, which has no switch for one run: shells by absolute path are not checked, shells by name are', (agent) => {
    const n = uncheckedShellsNote(agent, false, { injected: false, skipped: null })!;
    expect(n).toContain(`${agent} has no switch that adds agentguard's hook for one run`);
    expect(n).toContain('(/bin/sh -c, as Python');
    expect(n).toContain('only the shells it starts by name from PATH (sh, bash) are checked');
    expect(n.includes('agentguard install cursor')).toBe(agent === 'cursor');
  });
  it("claude and gemini get their hook, and an interactive shell is not an agent: nothing to add", () => {
    expect(uncheckedShellsNote('claude', false, { injected: true, skipped: null })).toBeNull();
    expect(uncheckedShellsNote('gemini', false, { injected: true, skipped: null })).toBeNull();
    expect(uncheckedShellsNote(undefined, false, { injected: false, skipped: null })).toBeNull();
  });
});
