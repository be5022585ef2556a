// Writes V8's code cache for the files of dist/bundle/ (bin/bundle-loader.js): runs what a
// cold start runs most (a hook's check and `agentguard check`, in a scratch home so that no
// log or rule of the person's is touched), then saves the functions they compiled.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { loadBundle, saveCodeCache } from '../bin/bundle-loader.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agentguard-code-cache-'));
const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, XDG_STATE_HOME: process.env.XDG_STATE_HOME };
try {
  process.env.HOME = home;
  delete process.env.XDG_CONFIG_HOME;
  delete process.env.XDG_STATE_HOME;
  const sink = () => new Writable({ write: (_c, _e, done) => done() });
  const stdin = new PassThrough();
  stdin.end(JSON.stringify({ session_id: 'build', cwd: root, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'git status --short' } }));
  await loadBundle('hook.cjs').runHook('claude', { stdin, stdout: sink(), stderr: sink(), env: { HOME: home, PATH: process.env.PATH }, cwd: root });
  const write = process.stdout.write;
  process.stdout.write = () => true;
  try {
    await loadBundle('main.cjs').main([process.execPath, 'agentguard', 'check', '--', 'git status --short']);
  } finally {
    process.stdout.write = write;
    process.exitCode = 0;
  }
  saveCodeCache(true);
} finally {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  fs.rmSync(home, { recursive: true, force: true });
}
