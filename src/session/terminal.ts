// The session owns the real terminal: keys go to the agent's pty, the agent's output
// comes to the screen, and during a prompt both stop: keys go to the prompt, output is
// kept and flushed afterwards, and the agent's screen is repainted.
import type { IPty } from 'node-pty';

const ALT_SCREEN = /\x1b\[\?(?:1049|1047|47)([hl])/g;

export class TerminalBridge {
  private kept: string[] = [];
  private prompting = false;
  private keyHandler: ((data: string) => void) | null = null;
  private tail = '';
  /** The agent switched to the alternate screen (a full-screen program). */
  agentAltScreen = false;

  constructor(
    private pty: IPty,
    private stdin: NodeJS.ReadStream,
    private stdout: NodeJS.WriteStream,
  ) {}

  get interactive(): boolean {
    return !!this.stdin.isTTY;
  }

  start(): void {
    if (this.stdin.isTTY) this.stdin.setRawMode(true);
    this.stdin.on('data', this.onInput);
    this.stdin.resume();
    this.pty.onData((d) => {
      this.track(d);
      if (this.prompting) this.kept.push(d);
      else this.stdout.write(d);
    });
    if (this.stdout.isTTY) this.stdout.on('resize', this.onResize);
  }

  stop(): void {
    this.stdin.off('data', this.onInput);
    if (this.stdout.isTTY) this.stdout.off('resize', this.onResize);
    if (this.stdin.isTTY) this.stdin.setRawMode(false);
    this.stdin.pause();
  }

  /** Stops forwarding in both directions; keys go to `onKey` until giveBack(). */
  takeOver(onKey: (data: string) => void): void {
    this.prompting = true;
    this.keyHandler = onKey;
  }

  /** Restores forwarding, flushes the output kept during the prompt, repaints the agent. */
  giveBack(): void {
    this.keyHandler = null;
    this.prompting = false;
    const kept = this.kept.join('');
    this.kept = [];
    if (kept) this.stdout.write(kept);
    this.repaint();
  }

  write(text: string): void {
    this.stdout.write(text);
  }

  /** A full-screen program redraws on a size change: one column narrower, then back. */
  private repaint(): void {
    const cols = this.pty.cols;
    const rows = this.pty.rows;
    if (cols < 3) return;
    try {
      this.pty.resize(cols - 1, rows);
      setTimeout(() => {
        try {
          this.pty.resize(cols, rows);
        } catch {
          // the agent has exited
        }
      }, 30);
    } catch {
      // the agent has exited
    }
  }

  private track(d: string) {
    const s = this.tail + d;
    for (const m of s.matchAll(ALT_SCREEN)) this.agentAltScreen = m[1] === 'h';
    this.tail = s.slice(-12);
  }

  private onInput = (data: Buffer | string) => {
    const s = typeof data === 'string' ? data : data.toString('utf8');
    if (this.keyHandler) this.keyHandler(s);
    else this.pty.write(s);
  };

  private onResize = () => {
    const { columns, rows } = this.stdout;
    if (columns && rows) this.pty.resize(columns, rows);
  };
}
