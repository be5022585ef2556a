// Codex inside `agentguard shell` without the sandbox: Codex starts /bin/bash by absolute path
// (the person's login shell), which no shim sees, so its commands reach agentguard only through
// the PreToolUse hook the session adds to its command line (src/agents/codex-hook.ts). With a
// stand-in for Codex (always) and with the real Codex CLI against a fake model (when it is
// installed): the person is asked, a refusal keeps the force push and the key from happening,
// the log has it, and nothing in ~/.codex is touched.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { FAKE_AGENT, makeWorld, plain, sessionLog, Terminal } from './harness.js';
import { startFakeResponses } from './fake-responses.js';

const CODEX = '/opt/agents/node_modules/.bin/codex';
const KEY = 'SENTINEL-PRIVATE-KEY-DO-NOT-LEAK';

/** A home with a sentinel SSH key and Codex's own files, a workspace whose branch is rewritten, and a local bare remote. */
function codexWorld(label: string, baseUrl = 'http://127.0.0.1:9/v1') {
  const w = makeWorld(label);
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd, env: { ...process.env, HOME: w.home, GIT_CONFIG_NOSYSTEM: '1' }, encoding: 'utf8' }).trim();
  fs.mkdirSync(path.join(w.home, '.ssh'), { mode: 0o700 });
  fs.writeFileSync(path.join(w.home, '.ssh', 'id_rsa'), `-----BEGIN OPENSSH PRIVATE KEY-----\n${KEY}\n-----END OPENSSH PRIVATE KEY-----\n`, { mode: 0o600 });
  const codexHome = path.join(w.home, '.codex');
  fs.mkdirSync(codexHome);
  fs.writeFileSync(
    path.join(codexHome, 'config.toml'),
    `model = "gpt-5"\nmodel_provider = "fake"\n\n[model_providers.fake]\nname = "fake"\nbase_url = "${baseUrl}"\nwire_api = "responses"\nrequires_openai_auth = false\n`,
  );
  fs.writeFileSync(path.join(codexHome, 'auth.json'), '{"OPENAI_API_KEY":"sk-sentinel-auth"}\n', { mode: 0o600 });
  const remote = path.join(w.base, 'remote.git');
  git(w.base, 'init', '-q', '--bare', remote);
  git(w.ws, 'remote', 'add', 'origin', remote);
  git(w.ws, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
  git(w.ws, 'commit', '-q', '--amend', '--allow-empty', '-m', 'rewritten');
  const digest = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(path.join(codexHome, f))).digest('hex');
  const files = ['config.toml', 'auth.json'];
  const before = Object.fromEntries(files.map((f) => [f, digest(f)]));
  return {
    ...w,
    remoteMain: () => git(w.base, '--git-dir', remote, 'rev-parse', 'main'),
    /** config.toml and auth.json, byte for byte as they were. */
    codexFilesUnchanged: () => expect(Object.fromEntries(files.map((f) => [f, digest(f)]))).toEqual(before),
  };
}

/** The fake agent under a program name, so that the session picks that profile. */
function fakeAs(dir: string, name: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const p = path.join(dir, name);
  if (!fs.existsSync(p)) fs.symlinkSync(FAKE_AGENT, p);
  fs.chmodSync(FAKE_AGENT, 0o755);
  return p;
}

describe('a Codex session without the sandbox, with a stand-in for Codex', () => {
  const w = codexWorld('codex-fake');
  afterAll(() => w.remove());
  const codex = fakeAs(path.join(w.base, 'bin'), 'codex');

  it("gets agentguard's hook as -c overrides, with CODEX_HOME left alone, and the start line says so", async () => {
    const t = new Terminal(['shell', '--no-sandbox', '--workspace', w.ws, '--', codex, 'codex-config'], { cwd: w.ws, home: w.home });
    const out = plain(await t.waitFor(/AGENT-DONE \d+/));
    await t.exit();
    const overrides = JSON.parse(/CODEX-CONFIG (.*)/.exec(out)![1]) as string[];
    expect(overrides[0]).toBe('features.hooks=true');
    expect(overrides[1]).toMatch(/^hooks\.PreToolUse=\[\{matcher="Bash",hooks=\[\{type="command",command=".*agentguard\.js hook codex \|\| sh -c/);
    expect(overrides[2]).toMatch(/^hooks\.state=\{"\/<session-flags>\/config\.toml:pre_tool_use:0:0"=\{trusted_hash="sha256:[0-9a-f]{64}"\}\}$/);
    expect(out).toContain('CODEX-HOME (unset)');
    expect(out.replace(/\s+/g, ' ')).toContain("codex's own shell commands are checked by agentguard's hook, added for this run with -c overrides");
    w.codexFilesUnchanged();
  });

  it('asks the person before Codex reads a private key by /bin/bash, refuses on n, and logs it', async () => {
    const t = new Terminal(['shell', '--no-sandbox', '--workspace', w.ws, '--', codex, 'codex', 'cat "$HOME/.ssh/id_rsa"'], { cwd: w.ws, home: w.home });
    const prompt = plain(await t.answer('n'));
    expect(prompt).toContain('credential-read');
    const out = plain(await t.waitFor(/AGENT-DONE \d+/));
    await t.exit();
    expect(out).toContain('CODEX-HOOK-DENY agentguard: denied by credential-read');
    expect(out).toContain('AGENT-DONE 126');
    expect(out).not.toContain(KEY);
    const hookDecisions = sessionLog(out).filter((r) => r.type === 'decision' && r.shell === 'hook');
    expect(hookDecisions).toMatchObject([{ command: 'cat "$HOME/.ssh/id_rsa"', verdict: 'deny', answer: 'deny' }]);
    w.codexFilesUnchanged();
  });

  it("says Codex runs UNGUARDED, and why, when the person's own arguments switch hooks off", async () => {
    const t = new Terminal(['shell', '--no-sandbox', '--workspace', w.ws, '--', codex, '-c', 'features.hooks=false', 'codex-config'], { cwd: w.ws, home: w.home });
    const out = plain(await t.waitFor(/AGENT-DONE \d+/));
    await t.exit();
    const flat = out.replace(/\s+/g, ' ');
    expect(flat).toContain("codex runs without agentguard's hook: codex was given `-c features.hooks=false`");
    expect(flat).toContain('codex runs UNGUARDED: without the sandbox and without agentguard\'s hook none of its shell commands are checked or logged');
    expect(JSON.parse(/CODEX-CONFIG (.*)/.exec(out)![1])).toEqual(['features.hooks=false']);
  });

  it('for an agent with no such switch (aider), the start line says which of its shells are not checked', async () => {
    const aider = fakeAs(path.join(w.base, 'bin'), 'aider');
    const t = new Terminal(['shell', '--no-sandbox', '--workspace', w.ws, '--', aider, 'name', 'true'], { cwd: w.ws, home: w.home });
    const out = plain(await t.waitFor(/AGENT-DONE \d+/)).replace(/\s+/g, ' ');
    await t.exit();
    expect(out).toContain("aider has no switch that adds agentguard's hook for one run: without the sandbox, only the shells it starts by name from PATH (sh, bash) are checked");
  });
});

describe.skipIf(!fs.existsSync(CODEX))(`the real Codex CLI (${CODEX}) without the sandbox, against a fake model`, () => {
  it('a force push and a private key read are asked, refused on n, logged, and never happen', async () => {
    const model = await startFakeResponses(['git push --force origin HEAD:main', 'cat "$HOME/.ssh/id_rsa"', 'git status --short']);
    const w = codexWorld('codex-real', model.baseUrl);
    try {
      const main = w.remoteMain();
      const t = new Terminal(['shell', '--no-sandbox', '--workspace', w.ws, '--', 'codex', 'exec', '--skip-git-repo-check', '-s', 'danger-full-access', 'do the steps'], {
        cwd: w.ws,
        home: w.home,
        env: { PATH: `${path.dirname(CODEX)}:${process.env.PATH ?? '/usr/bin:/bin'}` },
      });
      // Every prompt is refused (as a non-root user Codex's start-up snapshot may be asked about too).
      const prompts = (await t.answerUntil('n', /session \w+ ended/, 120_000)).map(plain);
      const out = plain(t.output);
      await t.exit();
      expect(prompts.some((p) => p.includes('git-force-push'))).toBe(true);
      expect(prompts.some((p) => p.includes('credential-read'))).toBe(true);
      expect(out).toContain('Command blocked by PreToolUse hook: agentguard: denied by git-force-push');
      expect(w.remoteMain()).toBe(main);
      expect(model.outputs.join('\n')).not.toContain(KEY);
      // The routine command after them ran, and came back to the model.
      expect(model.outputs).toHaveLength(3);
      const hook = sessionLog(out).filter((r) => r.type === 'decision' && r.shell === 'hook');
      expect(hook.map((r) => [r.command, r.answer])).toEqual([
        ['git push --force origin HEAD:main', 'deny'],
        ['cat "$HOME/.ssh/id_rsa"', 'deny'],
        ['git status --short', undefined],
      ]);
      w.codexFilesUnchanged();
    } finally {
      await model.close();
      w.remove();
    }
  }, 150_000);
});
