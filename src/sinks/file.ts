// The file sink: the session log's own lines, appended to one JSON Lines file (0600) that a
// collector tails (Vector, Fluent Bit, the OpenTelemetry Collector's filelog receiver). One
// write per batch, so a tailer never sees half a record from us. A symlink or a hard link at the
// path is refused.
import fs from 'node:fs';
import path from 'node:path';
import type { SinkItem, Transport } from './queue.js';

export function fileTransport(file: string): Transport {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Not through a symlink: where the sink's directory is writable by the agent, a link planted
  // there would have agentguard append to a file of the agent's choosing.
  let fd: number | null = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o600);
  // Nor through a hard link: one planted there (ln ~/.bashrc /tmp/agentguard.jsonl) would have
  // agentguard append the agent's command text to a file of the person's, where bash would
  // expand any $(...) in it.
  const st = fs.fstatSync(fd);
  const problem = !st.isFile() ? 'not a regular file' : st.nlink > 1 ? `the file has ${st.nlink - 1} other names (hard links): remove ${file} and let agentguard create it` : null;
  if (problem) {
    fs.closeSync(fd);
    throw new Error(`${file}: ${problem}`);
  }
  return {
    send(batch: SinkItem[]) {
      if (fd === null) return Promise.reject(new Error(`${file}: closed`));
      fs.writeSync(fd, batch.map((i) => i.line + '\n').join(''));
      return Promise.resolve();
    },
    end() {
      this.destroy();
      return Promise.resolve();
    },
    destroy() {
      if (fd !== null) fs.closeSync(fd);
      fd = null;
    },
  };
}
