// The agent's processes run in a PID namespace of their own: a shim reports its pid as the
// sandbox sees it, while the gate reads /proc from outside. This maps a pid inside to the
// same process's pid outside by walking the session's process tree (from the pty's child,
// bwrap) and reading each process's NSpid line, whose last field is its innermost pid.
// Trees are small (an agent and its tools), so a walk costs well under a millisecond;
// known answers are kept and checked again before use (a pid can be reused).
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

/** A function from a pid inside the sandbox to the pid outside, or null when no such process runs under `root`. */
export function pidTranslator(root: () => number | null): (inside: number) => number | null {
  const known = new Map<number, number>();
  const matches = (outside: number, inside: number) => {
    const ns = nspid(outside);
    return !!ns && ns.length > 1 && ns[ns.length - 1] === inside;
  };
  return (inside) => {
    const cached = known.get(inside);
    if (cached !== undefined && matches(cached, inside)) return cached;
    known.delete(inside);
    const start = root();
    if (start === null) return null;
    const queue = [start];
    for (let seen = 0; queue.length && seen < 100_000; seen++) {
      const p = queue.shift()!;
      if (matches(p, inside)) {
        if (known.size > 4096) known.clear();
        known.set(inside, p);
        return p;
      }
      queue.push(...children(p));
    }
    return null;
  };
}
