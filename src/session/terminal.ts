// The session owns the real terminal: keys go to the agent's pty, the agent's output
// comes to the screen, and during a prompt both stop: keys go to the prompt, output is
// kept and flushed afterwards, and the agent's screen is repainted. The terminal modes the
// agent set (alternate screen, scroll region, mouse tracking, cursor, wrapping) are
// followed as its output passes, so that after a prompt they are given back as it left them.
import type { IPty } from 'node-pty';

/** The mode-setting sequences followed: CSI ? Pn h/l (private modes), CSI Pn h/l, CSI Pt;Pb r. */
const MODES = /\x1b\[(\?)?([\d;]*)([hlr])/g;
const ALT_SCREEN = new Set(['1049', '1047', '47']);
const MOUSE = ['1000', '1002', '1003', '1005', '1006', '1015'];

export class TerminalBridge {
  private kept: string[] = [];
  private prompting = false;
  private keyHandler: ((data: string) => void) | null = null;
  private resizeHandler: (() => void) | null = null;
  private tail = '';
  /** The agent switched to the alternate screen (a full-screen program). */
  agentAltScreen = false;
  /** Private modes the agent turned on or off (mouse tracking, cursor, auto-wrap, origin), by number. */
  private privateModes = new Map<string, boolean>();
  /** The agent's scroll region (the parameters of its last CSI r), '' for the whole screen. */
  private scrollRegion = '';
  private insertMode = false;

  constructor(
    private pty: IPty,
    private stdin: NodeJS.ReadStream,
    private stdout: NodeJS.WriteStream,
  ) {}

  get interactive(): boolean {
    return !!this.stdin.isTTY;
  }

  /** The real terminal's size (the agent's pty's when there is no terminal). */
  size(): { cols: number; rows: number } {
    return { cols: this.stdout.columns || this.pty.cols || 80, rows: this.stdout.rows || this.pty.rows || 24 };
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

  /**
   * Stops forwarding in both directions; keys go to `onKey` until giveBack(), and
   * `onResize` is called when the real terminal changes size (to draw the prompt again).
   */
  takeOver(onKey: (data: string) => void, onResize?: () => void): void {
    this.prompting = true;
    this.keyHandler = onKey;
    this.resizeHandler = onResize ?? null;
  }

  /** Restores forwarding and the agent's terminal modes, flushes the output kept during the prompt, repaints the agent. */
  giveBack(): void {
    this.keyHandler = null;
    this.resizeHandler = null;
    this.prompting = false;
    const kept = this.kept.join('');
    this.kept = [];
    this.stdout.write(this.agentModes() + kept);
    this.repaint();
  }

  write(text: string): void {
    this.stdout.write(text);
  }

  /**
   * The sequences that put back what the prompt's reset changed and the agent had set: its
   * scroll region, origin mode, auto-wrap, cursor visibility, insert mode, mouse tracking.
   * Attributes and character sets are the agent's to set again as it repaints.
   */
  agentModes(): string {
    let s = '';
    if (this.scrollRegion) s += `\x1b[${this.scrollRegion}r`;
    const mode = (n: string, dflt: boolean) => {
      const on = this.privateModes.get(n);
      if (on !== undefined && on !== dflt) s += `\x1b[?${n}${on ? 'h' : 'l'}`;
    };
    mode('6', false);
    mode('7', true);
    mode('25', true);
    for (const m of MOUSE) mode(m, false);
    if (this.insertMode) s += '\x1b[4h';
    return s;
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
    if (!d.includes('\x1b') && !this.tail) return;
    // The tail holds the end of the previous chunk: a sequence split across two reads is
    // still seen. Sequences seen twice are applied twice, in order: the end state is the same.
    const s = this.tail + d;
    for (const m of s.matchAll(MODES)) {
      const [, priv, params, final] = m;
      if (final === 'r') {
        if (!priv) this.scrollRegion = params;
      } else if (priv) {
        for (const p of params.split(';')) {
          if (ALT_SCREEN.has(p)) this.agentAltScreen = final === 'h';
          else this.privateModes.set(p, final === 'h');
        }
      } else if (params.split(';').includes('4')) this.insertMode = final === 'h';
    }
    const esc = s.lastIndexOf('\x1b');
    this.tail = esc >= 0 && s.length - esc < 24 ? s.slice(esc) : '';
  }

  private onInput = (data: Buffer | string) => {
    const s = typeof data === 'string' ? data : data.toString('utf8');
    if (this.keyHandler) this.keyHandler(s);
    else this.pty.write(s);
  };

  private onResize = () => {
    const { columns, rows } = this.stdout;
    if (columns && rows) this.pty.resize(columns, rows);
    this.resizeHandler?.();
  };
}
