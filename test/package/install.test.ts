// A packaged install works like a clone: the project is packed, the tarball installed into a
// temporary global prefix with the README's install line, and the installed `agentguard`
// must have its C parts built (doctor) and run a session. Dependencies come from the npm
// registry through the user's npm cache (--prefer-offline: fast when they are there).
// HOME, the prefix and the workspace are fresh directories under /var/tmp.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxWorks } from '../session/harness.js';

const ROOT = path.resolve(__dirname, '../..');
const base = fs.mkdtempSync('/var/tmp/agentguard-package-');
const home = path.join(base, 'home');
const prefix = path.join(base, 'prefix');
const ws = path.join(base, 'project');
for (const d of [home, prefix, ws]) fs.mkdirSync(d, { recursive: true });
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

// Only these variables: under `npm test` the environment holds npm_config_* and npm_lifecycle_*
// from the outer npm, which the inner npm would read as its own configuration.
const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', NO_COLOR: '1' };
// The user's npm cache, so the registry is asked only for what it does not hold yet.
const cache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8', env: { PATH: env.PATH, HOME: process.env.HOME ?? home } }).trim();
// The README's offline line (export npm_config_nodedir=…): node-gyp builds node-pty against this
// Node's own headers, where they are, instead of fetching them from nodejs.org (here only the
// npm registry may be reachable).
const nodedir = path.resolve(process.execPath, '../..');
const installEnv = fs.existsSync(path.join(nodedir, 'include', 'node', 'common.gypi')) ? { ...env, npm_config_nodedir: nodedir } : env;
const agentguard = path.join(prefix, 'bin', 'agentguard');
const installed = path.join(prefix, 'lib', 'node_modules', 'agentguard');
let tarball = '';
let packed: string[] = [];

beforeAll(() => {
  // The tree is built already (npm test's pretest, npm install's prepare): --ignore-scripts packs
  // it as it is, without rebuilding dist/ under the test files that run beside this one.
  const out = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--no-update-notifier', '--pack-destination', base], { cwd: ROOT, encoding: 'utf8', env })) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(base, out[0].filename);
  packed = out[0].files.map((f) => f.path);
  // README: npm install -g --allow-scripts="$PWD/agentguard-<version>.tgz",node-pty "$PWD/agentguard-<version>.tgz"
  const r = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--cache', cache, '--prefer-offline', '--no-audit', '--no-fund', '--no-update-notifier', `--allow-scripts=${tarball},node-pty`, tarball], { cwd: base, encoding: 'utf8', env: installEnv });
  if (r.status !== 0) throw new Error(`npm install -g of the tarball failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}, 300_000);

describe('npm pack then npm install -g of the tarball', () => {
  it('the package carries the C sources, binding.gyp and the compiled built-in rules', () => {
    expect(packed).toEqual(expect.arrayContaining(['binding.gyp', 'scripts/build-native.js', 'src/shim/shim.c', 'src/egress/bridge.c', 'src/broker/broker.c', 'dist/builtin-rules.json', 'dist/bundle/main.cjs', 'bin/bundle-loader.js', 'bin/package.json', 'bin/agentguard.js']));
    // Sources of the TypeScript and the tests stay out.
    expect(packed.filter((f) => f.startsWith('test/') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('the install built the shim, the egress bridge and the broker', () => {
    for (const b of ['agentguard-shim', 'agentguard-bridge', 'agentguard-broker']) expect(fs.statSync(path.join(installed, 'build', 'Release', b)).mode & 0o111).not.toBe(0);
  });

  it('doctor says the shim and the bridge are built', () => {
    const r = spawnSync(agentguard, ['doctor', '--json'], { cwd: ws, encoding: 'utf8', env });
    const lines = JSON.parse(r.stdout) as { ok: boolean | null; what: string; fix?: string }[];
    const line = (what: RegExp) => lines.find((l) => what.test(l.what));
    expect(line(/shell shim/)).toMatchObject({ ok: true, what: 'shell shim built' });
    expect(lines.filter((l) => /not built/.test(l.what))).toEqual([]);
    if (sandboxWorks()) {
      expect(line(/^network:/)?.ok).toBe(true);
      expect(line(/^network:/)?.what).toContain('egress proxy');
      expect(line(/escalation broker/)?.ok).toBe(true);
    }
    // The agent profiles (built into src/agents/) are there.
    expect(line(/^agent profiles:/)?.what).toContain('claude (');
  });

  it('runs a session non-interactively: agentguard shell -- bash -c "echo ok"', () => {
    const r = spawnSync(agentguard, ['shell', '--', 'bash', '-c', 'echo ok'], { cwd: ws, encoding: 'utf8', env, input: '' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ok\r?$/m);
    expect(r.stdout).toContain(`workspace ${ws}`);
    if (sandboxWorks()) expect(r.stdout).toContain('sandbox: writes only to');
    expect(r.status).toBe(0);
  });
});
