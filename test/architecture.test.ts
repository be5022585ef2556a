// The layers of ARCHITECTURE.md, checked on the source: the engine below the session layer
// (analysis, program modules, hosts, rules, policy, agents' wrappers, the log, createGuard)
// never opens sockets, starts processes or drives a terminal, and never imports a layer
// above it; the analysis itself (src/shell, src/programs, src/net) sees files only through
// the FsView (src/shell/fsview.ts).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const src = path.resolve(__dirname, '../src');
const tsFiles = (dir: string) => fs.readdirSync(path.join(src, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));

const ENGINE = [...['shell', 'programs', 'net', 'rules', 'config', 'policy', 'agents', 'log'].flatMap(tsFiles), 'guard.ts'];
const ANALYSIS = ['shell', 'programs', 'net'].flatMap(tsFiles).filter((f) => f !== path.join('shell', 'fsview.ts'));

/** Value imports (not `import type`) of a module, as written. */
function imports(file: string): string[] {
  const text = fs.readFileSync(path.join(src, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'";]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => m[1] ?? m[2] ?? m[3]);
}

const SIDE_EFFECTS = /^(node:)?(net|child_process|http|https|http2|tls|dgram|tty|readline|worker_threads|cluster)$|^(node-pty|chalk|commander)$/;
const FILES = /^(node:)?(fs|fs\/promises|os)$/;
const UPWARD = /(^|\/)(session|cli|ui|sandbox|egress|hooks|broker|shim|sinks|anchor|git)\//;

describe('architecture: the engine below the session layer', () => {
  it('the checks recognise what they forbid', () => {
    expect(SIDE_EFFECTS.test('node:net')).toBe(true);
    expect(SIDE_EFFECTS.test('child_process')).toBe(true);
    expect(SIDE_EFFECTS.test('node-pty')).toBe(true);
    expect(SIDE_EFFECTS.test('node:path')).toBe(false);
    expect(UPWARD.test('../session/gate.js')).toBe(true);
    expect(imports('guard.ts').length).toBeGreaterThan(0);
    expect(ENGINE).toEqual(expect.arrayContaining(['programs/index.ts', 'programs/git.ts', 'net/hosts.ts', 'shell/analyse.ts', 'policy/evaluate.ts']));
  });
  it.each(ENGINE)('%s opens no socket, starts no process, drives no terminal, imports no layer above it', (f) => {
    const bad = imports(f).filter((m) => SIDE_EFFECTS.test(m) || UPWARD.test(m));
    expect(bad).toEqual([]);
  });
  it.each(ANALYSIS)('%s reads no file except through the FsView', (f) => {
    expect(imports(f).filter((m) => FILES.test(m))).toEqual([]);
  });
});
