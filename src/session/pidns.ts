// The agent's processes run in a PID namespace of their own: a shim reports its pid as the
// sandbox sees it, and the gate must read that pid's /proc entry (parent, start time) the
// same way. The sandbox's own /proc is reachable from outside through any process inside
// it, as /proc/<its outside pid>/root/proc. This finds one such process once (bubblewrap's
// pid 1 of the namespace: it lives as long as the sandbox) by walking down from the pty's
// child and reading NSpid, and checks it again before each use (a pid can be reused).
import fs from 'node:fs';

function nspid(pid: number): number[] | null {
  try {
    const m = /^NSpid:\s+(.*)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? m[1].trim().split(/\s+/).map(Number) : null;
  } catch {
    return null;
  }
}

function children(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tasks) {
    try {
      for (const c of fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/)) if (c) out.push(Number(c));
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** Whether `outside` is the first process of a PID namespace below ours. */
const isNamespaceInit = (outside: number) => {
  const ns = nspid(outside);
  return !!ns && ns.length > 1 && ns[ns.length - 1] === 1;
};

/**
 * The path of the sandbox's /proc as seen from here, for the processes under `root`;
 * `/nonexistent` while no such namespace runs (nothing then resolves, so nothing is trusted).
 */
export function sandboxProc(root: () => number | null): () => string {
  let init: number | null = null;
  return () => {
    if (init === null || !isNamespaceInit(init)) {
      init = null;
      const start = root();
      const queue = start === null ? [] : [start];
      for (let seen = 0; queue.length && seen < 10_000; seen++) {
        const p = queue.shift()!;
        if (isNamespaceInit(p)) {
          init = p;
          break;
        }
        queue.push(...children(p));
      }
    }
    return init === null ? '/nonexistent' : `/proc/${init}/root/proc`;
  };
}
