// node bench/escalate.js: the cost of one escalated command. In a sandboxed session (a real
// pty, the person's "a" typed once by this script), an agent runs `bash -c ': > FILE'` N
// times: FILE outside the write roots (escalated: the broker runs it outside the sandbox)
// against FILE in the workspace (checked, then run inside). Prints both medians.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as pty from 'node-pty';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const runs = Number(process.argv[2] ?? 50);

if (spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-net', '--', 'true']).status !== 0) {
  console.log('escalation: skipped (no bubblewrap sandbox here: nothing to escalate from)');
  process.exit(0);
}

// A scratch world outside /tmp (a write root): a home, a workspace, and the outside target.
const base = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.homedir(), 'agentguard-bench-escalate-'));
const home = path.join(base, 'home');
const ws = path.join(base, 'project');
fs.mkdirSync(home);
fs.mkdirSync(ws);

/** Median ms of `bash -c ': > file'` inside a session, answering "a" to the first prompt. */
function measure(file) {
  const loop = `const {spawnSync}=require('child_process');const t=[];for(let i=0;i<=${runs};i++){const s=process.hrtime.bigint();const r=spawnSync('bash',['-c',process.argv[1]]);if(i)t.push(Number(process.hrtime.bigint()-s)/1e6);if(r.status!==0){console.log('FAILED',String(r.stderr));process.exit(1)}}t.sort((a,b)=>a-b);console.log('ESC-BENCH '+t[t.length>>1])`;
  return new Promise((resolve, reject) => {
    const p = pty.spawn(process.execPath, [path.join(root, 'bin/agentguard.js'), 'shell', '--max-commands-per-minute', '0', '--workspace', ws, '--', process.execPath, '-e', loop, `: > ${file}`], {
      cwd: ws,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TERM: 'xterm', NO_COLOR: '1' },
      cols: 200,
      rows: 50,
    });
    let out = '';
    let answered = false;
    p.onData((d) => {
      out += d;
      if (!answered && out.includes('needs your approval')) {
        answered = true;
        setTimeout(() => p.write('a'), 300);
      }
    });
    p.onExit(() => {
      const m = /ESC-BENCH ([\d.]+)/.exec(out);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`escalation bench failed:\n${out}`));
    });
  });
}

try {
  const inside = await measure(path.join(ws, 'inside.txt'));
  const outside = await measure(path.join(base, 'outside.txt'));
  const fmt = (ms) => `${ms.toFixed(2)} ms`;
  console.log(`${'escalation: one escalated `bash -c` (median)'.padEnd(44)} escalated ${fmt(outside)}   checked inside ${fmt(inside)}   cost ${fmt(outside - inside)} (${runs} runs each, after one "a")`);
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
