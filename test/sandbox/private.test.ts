// What the sandbox shows in place of shared or secret things: a private /tmp instead of the
// host's, and config files with their secrets taken out instead of nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAKE_AGENT, makeWorld, sandboxWorks, Terminal } from '../session/harness.js';
import { filterDockerConfig, filterGitconfig, filterNpmrc, filterPypirc } from '../../src/sandbox/configs.js';

const hasSandbox = sandboxWorks();
// The top entry of /tmp that holds this checkout, when it lives under /tmp (a fresh clone in /tmp/x).
const ROOT = path.resolve(__dirname, '../..');
const OWN_TMP_ENTRY = ROOT.startsWith('/tmp/') ? ROOT.split('/')[2] : null;
const world = makeWorld('private');
afterAll(() => world.remove());

async function inAgent(code: string, flags: string[] = []) {
  const t = new Terminal(['shell', '--workspace', world.ws, ...flags, '--', process.execPath, FAKE_AGENT, 'js', code], { cwd: world.ws, home: world.home });
  const out = await t.waitFor(/AGENT-RESULT [^\r\n]*[\r\n]/);
  await t.exit();
  return { result: JSON.parse(/AGENT-RESULT ([^\r\n]*)/.exec(out)![1]) as { ok: boolean; value?: unknown; error?: string }, out };
}

describe.skipIf(!hasSandbox)('a private /tmp', () => {
  it("the agent's /tmp is its own: a file in the host's /tmp is not there to delete, and what it writes stays in the session's", async () => {
    // Only this sentinel is ever targeted, never the host's /tmp as a whole.
    const sentinel = fs.mkdtempSync('/tmp/agentguard-host-sentinel-');
    fs.writeFileSync(path.join(sentinel, 'keep.txt'), 'host file\n');
    try {
      const code = `let del; try { fs.rmSync(${JSON.stringify(sentinel)}, { recursive: false }); del = 'deleted' } catch (e) { del = e.code }
        fs.writeFileSync('/tmp/agent-wrote.txt', 'inside'); return [del, fs.existsSync(${JSON.stringify(sentinel)}), fs.readdirSync('/tmp')]`;
      const { result } = await inAgent(code);
      // agentguard itself stays visible (read-only) when it lives under /tmp (a clone in /tmp/x).
      const [del, exists, listed] = result.value as [string, boolean, string[]];
      expect([del, exists, listed.filter((e) => e !== OWN_TMP_ENTRY)]).toEqual(['ENOENT', false, ['agent-wrote.txt']]);
      expect(fs.readFileSync(path.join(sentinel, 'keep.txt'), 'utf8')).toBe('host file\n');
      expect(fs.existsSync('/tmp/agent-wrote.txt') && fs.readFileSync('/tmp/agent-wrote.txt', 'utf8') === 'inside').toBe(false);
    } finally {
      fs.rmSync(sentinel, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasSandbox)('rm -rf /tmp/* in the sandbox', () => {
  it("asks, and after y empties the session's /tmp while the host's /tmp keeps its files", async () => {
    const sentinel = fs.mkdtempSync('/tmp/agentguard-host-sentinel-');
    fs.writeFileSync(path.join(sentinel, 'keep.txt'), 'host file\n');
    try {
      // The literal command, guarded: it only runs where the host's sentinel is not visible,
      // so a sandbox that shared /tmp could not wipe the host's.
      // (Where agentguard itself lives under /tmp its directory is bound read-only there, so rm
      // reports it: only the session's own files must go.)
      const cmd = `echo made > /tmp/agent-file && test ! -e ${sentinel} && { rm -rf /tmp/* 2>/dev/null; test ! -e /tmp/agent-file && echo TMP-EMPTIED; }`;
      const t = new Terminal(['shell', '--workspace', world.ws, '--', process.execPath, FAKE_AGENT, 'name', cmd], { cwd: world.ws, home: world.home });
      const screen = await t.answer('y');
      expect(screen).toContain('delete-temp-root');
      const out = await t.waitFor(/AGENT-DONE \d+/);
      await t.exit();
      expect(out).toMatch(/TMP-EMPTIED\s+AGENT-DONE 0/);
      expect(fs.readFileSync(path.join(sentinel, 'keep.txt'), 'utf8')).toBe('host file\n');
    } finally {
      fs.rmSync(sentinel, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasSandbox)('config files that hold secrets are filtered, not masked', () => {
  it("npm config get registry gives the user's registry from ~/.npmrc, and the _authToken is readable nowhere inside", async () => {
    fs.writeFileSync(path.join(world.home, '.npmrc'), 'registry=https://npm.example.test/\n//npm.example.test/:_authToken=NPM-TOKEN-SECRET-1\nsave-exact=true\n', { mode: 0o600 });
    const code = `const npm = (...a) => spawnSync('npm', a, { encoding: 'utf8', env: { ...env, npm_config_cache: '/tmp/npm-cache' } }).stdout.trim();
      const all = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? all(path.join(d, e.name)) : e.isFile() ? [path.join(d, e.name)] : []);
      const texts = [path.join(os.homedir(), '.npmrc'), ...all(env.AGENTGUARD_RUN_DIR)].map((f) => { try { return fs.readFileSync(f, 'utf8') } catch (e) { return e.code } });
      return { registry: npm('config', 'get', 'registry'), exact: npm('config', 'get', 'save-exact'), token: npm('config', 'get', '//npm.example.test/:_authToken'), leaked: texts.some((t) => t.includes('NPM-TOKEN-SECRET-1')) }`;
    const { result, out } = await inAgent(code);
    const v = result.value as Record<string, unknown>;
    expect(v).toMatchObject({ registry: 'https://npm.example.test/', exact: 'true', leaked: false });
    expect(['', 'undefined']).toContain(v.token);
    expect(out).toMatch(/filtered: [^|]*~\/\.npmrc/);
    expect(out).toContain('--allow-read PATH');
    fs.rmSync(path.join(world.home, '.npmrc'));
  });

  it('git and docker keep their settings without their credentials', async () => {
    fs.writeFileSync(path.join(world.home, '.gitconfig'), '[user]\n\tname = Dev Person\n[credential]\n\thelper = store\n[http]\n\textraHeader = Authorization: Bearer GIT-TOKEN-SECRET\n');
    fs.mkdirSync(path.join(world.home, '.docker'), { recursive: true });
    fs.writeFileSync(path.join(world.home, '.docker', 'config.json'), JSON.stringify({ auths: { 'registry.example.test': { auth: 'RE9DS0VSLVNFQ1JFVA==' } }, credsStore: 'desktop', proxies: { default: { httpProxy: 'http://proxy.example.test:3128' } } }));
    const code = `const git = (...a) => spawnSync('git', a, { encoding: 'utf8' }).stdout.trim();
      return { name: git('config', '--global', 'user.name'), helper: git('config', '--global', 'credential.helper'), docker: JSON.parse(fs.readFileSync(path.join(os.homedir(), '.docker', 'config.json'), 'utf8')), gitText: fs.readFileSync(path.join(os.homedir(), '.gitconfig'), 'utf8') }`;
    const { result } = await inAgent(code);
    const v = result.value as { name: string; helper: string; docker: Record<string, unknown>; gitText: string };
    expect(v.name).toBe('Dev Person');
    expect(v.helper).toBe('');
    expect(v.gitText).not.toContain('GIT-TOKEN-SECRET');
    expect(v.docker).toEqual({ proxies: { default: { httpProxy: 'http://proxy.example.test:3128' } } });
  });
});

describe('the filters', () => {
  it.each([
    ['registry=https://r.example/\n_authToken=abc\n_auth=xyz\n//r.example/:_authToken=tok\n//r.example/:_password=pw\nemail=a@b.c\n', 'registry=https://r.example/\nemail=a@b.c\n'],
    ['registry = https://user:secret@r.example/\n', 'registry = https://r.example/\n'],
  ])('npmrc %#', (input, expected) => expect(filterNpmrc(input).text).toBe(expected));

  it('pypirc: passwords go, repositories stay', () => {
    expect(filterPypirc('[pypi]\nusername = __token__\npassword = pypi-SECRET\nrepository = https://upload.pypi.org/legacy/\n').text).toBe('[pypi]\nusername = __token__\nrepository = https://upload.pypi.org/legacy/\n');
  });

  it('gitconfig: credential sections, token keys and Authorization headers go', () => {
    const f = filterGitconfig('[user]\n\tname = D\n[credential "https://github.com"]\n\thelper = !gh auth git-credential\n[core]\n\teditor = vim\n[url "https://u:tok@example.com/"]\n\tinsteadOf = https://example.com/\n');
    expect(f.text).toBe('[user]\n\tname = D\n[core]\n\teditor = vim\n[url "https://example.com/"]\n\tinsteadOf = https://example.com/\n');
  });

  it('docker: auths, credsStore and credHelpers go; not JSON is null (masked whole)', () => {
    expect(JSON.parse(filterDockerConfig('{"auths":{},"credHelpers":{"x":"y"},"credsStore":"s","detachKeys":"ctrl-x"}')!.text)).toEqual({ detachKeys: 'ctrl-x' });
    expect(filterDockerConfig('not json')).toBeNull();
  });
});
