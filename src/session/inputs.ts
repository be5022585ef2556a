// Whether the files a decision was read from are as they were: the gate reuses a nested
// shell's decision only then (a Makefile or script edited since must be read again).
import fs from 'node:fs';

/** The state of a file as a decision saw it: inode, size and change time, or "missing". */
export function fileStamp(p: string): string {
  try {
    const st = fs.statSync(p, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return 'missing';
  }
}

export function inputsUnchanged(inputs: readonly { path: string; stamp: string }[]): boolean {
  return inputs.every((i) => fileStamp(i.path) === i.stamp);
}
