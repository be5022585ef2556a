// Terminal multiplexers: tmux and screen start commands in new sessions, windows and panes,
// run shell commands (tmux run-shell, if-shell, pipe-pane, -c), and type keys into a shell
// that is already running (tmux send-keys, screen -X stuff): the typed text is read as the
// script it becomes. Configuration files and tmux commands bound for later are not read.
import type { Word } from '../shell/types.js';
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { shq } from './context.js';
import { joinWords, lit, runner, unknownOptions } from './words.js';

const TMUX: OptionSpec = {
  takesValue: ['-c', '-f', '-L', '-S', '-T'],
  flags: ['-2', '-C', '-D', '-l', '-N', '-u', '-V', '-v', '-h'],
  complete: true,
  stopAtPositional: true,
};

/** How a tmux command that starts a shell command reads its words (new-session, run-shell … and their aliases). */
interface Starter {
  spec: OptionSpec;
  /** The shell command is one string (run-shell, pipe-pane), not an argv that may be split. */
  single?: boolean;
}
const START: Record<string, Starter> = {};
function starter(names: string[], spec: Omit<OptionSpec, 'complete'>, single = false): void {
  for (const n of names) START[n] = { spec: { ...spec, complete: true, stopAtPositional: true }, single };
}
starter(['new-session', 'new'], { takesValue: ['-c', '-e', '-f', '-F', '-n', '-s', '-t', '-x', '-y'], flags: ['-A', '-d', '-D', '-E', '-P', '-X'] });
starter(['new-window', 'neww'], { takesValue: ['-c', '-e', '-F', '-n', '-t'], flags: ['-a', '-b', '-d', '-k', '-P', '-S'] });
starter(['split-window', 'splitw'], { takesValue: ['-c', '-e', '-l', '-p', '-t', '-F'], flags: ['-b', '-d', '-f', '-h', '-I', '-v', '-P', '-Z'] });
starter(['respawn-pane', 'respawnp', 'respawn-window', 'respawnw'], { takesValue: ['-c', '-e', '-t'], flags: ['-k'] });
starter(['display-popup', 'popup'], { takesValue: ['-b', '-c', '-d', '-e', '-h', '-s', '-S', '-t', '-T', '-w', '-x', '-y'], flags: ['-B', '-C', '-E', '-N'] });
starter(['run-shell', 'run'], { takesValue: ['-c', '-d', '-t'], flags: ['-b', '-C', '-E'] }, true);
starter(['pipe-pane', 'pipep'], { takesValue: ['-t'], flags: ['-I', '-O', '-o'] }, true);

const SEND_KEYS: OptionSpec = { takesValue: ['-c', '-N', '-t'], flags: ['-F', '-H', '-K', '-l', '-M', '-R', '-X'], complete: true };

/** tmux commands that run nothing: lists, attaching, killing, moving, showing. */
const TMUX_QUIET = new Set([
  'attach-session', 'attach', 'a', 'at', 'detach-client', 'detach', 'has-session', 'has', 'kill-server', 'kill-session', 'kill-window', 'killw', 'kill-pane', 'killp', 'list-sessions', 'ls', 'list-windows', 'lsw', 'list-panes', 'lsp', 'list-clients', 'lsc', 'list-buffers', 'lsb', 'list-keys', 'lsk', 'list-commands', 'lscm',
  'capture-pane', 'capturep', 'select-window', 'selectw', 'select-pane', 'selectp', 'select-layout', 'selectl', 'resize-pane', 'resizep', 'resize-window', 'resizew', 'rename-session', 'rename', 'rename-window', 'renamew', 'switch-client', 'switchc', 'next-window', 'next', 'previous-window', 'prev', 'last-window', 'last', 'last-pane', 'lastp', 'swap-pane', 'swapp', 'swap-window', 'swapw', 'move-window', 'movew', 'break-pane', 'breakp', 'join-pane', 'joinp', 'kill-server', 'wait-for', 'wait', 'clear-history', 'clearhist', 'show-options', 'show', 'show-window-options', 'showw', 'show-environment', 'showenv', 'show-buffer', 'showb', 'show-messages', 'showmsgs', 'start-server', 'start', 'refresh-client', 'refresh', 'lock-server', 'lock', 'server-access', 'zoom', 'display-message', 'display', 'display-panes', 'displayp', 'copy-mode', 'clock-mode', 'set-buffer', 'setb', 'delete-buffer', 'deleteb', 'server-info', 'info', 'suspend-client', 'suspendc', 'rotate-window', 'rotatew', 'link-window', 'linkw', 'unlink-window', 'unlinkw', 'show-hooks',
]);

/** Words of one tmux command line split into its commands (`;` separates them). */
function tmuxCommands(words: readonly Word[]): Word[][] {
  const out: Word[][] = [[]];
  for (const w of words) {
    if (w.value === ';') out.push([]);
    else if (w.value !== null && w.value.endsWith('\\;') && w.value.length > 2) {
      out[out.length - 1].push(lit(w.value.slice(0, -2)));
      out.push([]);
    } else out[out.length - 1].push(w);
  }
  return out.filter((c) => c.length);
}

/** Keys that type no text and recall nothing: interrupting or clearing the screen. */
const INERT_KEYS = /^(C-c|C-l|C-z|C-d|Escape|C-\[)$/;
/** Key names tmux knows (send-keys types anything else as text). */
const KEY_NAME = /^((C-|M-|S-)+.+|Up|Down|Left|Right|Home|End|BSpace|BTab|DC|IC|NPage|PPage|PageUp|PageDown|PgUp|PgDn|Tab|Space|F\d{1,2}|KP.+|Any)$/;

/** Text typed by send-keys, as a shell in the pane reads it; null when a key recalls or edits text (Up, Tab …). */
function typed(keys: readonly Word[], literal: boolean): string | null {
  let text = '';
  for (const k of keys) {
    if (k.value === null) return null;
    if (literal) text += k.value;
    else if (/^(Enter|C-m|C-M|KPEnter|C-j|C-J)$/.test(k.value)) text += '\n';
    else if (k.value === 'Space') text += ' ';
    else if (INERT_KEYS.test(k.value)) continue;
    else if (KEY_NAME.test(k.value)) return null;
    else text += k.value;
  }
  return text;
}

function tmuxCommand(cmd: Word[], out: Run[]): void {
  const name = cmd[0].value;
  const args = cmd.slice(1);
  if (name === null) return void out.push({ kind: 'opaque', reason: 'tmux command only known at run time' });
  // #(…) in a format runs a shell command.
  if (args.some((w) => w.value?.includes('#('))) return void out.push({ kind: 'opaque', reason: 'tmux format runs a shell command (#(…))' });
  const s = START[name];
  if (s) {
    const o = parseOptions(args, s.spec);
    if (o.unknown.length) return void out.push(...unknownOptions(`tmux ${name}`, o.unknown));
    if (o.flags.includes('-C')) return void out.push({ kind: 'opaque', reason: `tmux ${name} -C runs tmux commands` });
    const rest = o.positionals;
    if (!rest.length) return;
    // -c DIR: the command starts there.
    const dir = o.values.get('-c')?.pop();
    if (dir === null) return void out.push({ kind: 'opaque', reason: `tmux ${name} starts its command in a directory only known at run time` });
    // One word is a shell command (sh -c); several are the command's argv (tmux 3.0 and later).
    if (rest.length === 1 || s.single) {
      const text = joinWords(rest);
      out.push({ kind: 'script', script: dir === undefined || text.value === null ? text : lit(`cd ${shq(dir)} && ${text.value}`) });
    } else out.push({ kind: 'argv', argv: rest, chdir: dir === undefined ? undefined : lit(dir) });
    return;
  }
  if (name === 'send-keys' || name === 'send') {
    const o = parseOptions(args, SEND_KEYS);
    if (o.unknown.length) return void out.push(...unknownOptions('tmux send-keys', o.unknown));
    if (o.flags.includes('-X')) return; // copy-mode commands
    if (o.flags.includes('-H')) return void out.push({ kind: 'opaque', reason: 'tmux send-keys -H types keys given in hexadecimal' });
    const text = typed(o.positionals, o.flags.includes('-l'));
    if (text === null) out.push({ kind: 'opaque', reason: 'tmux send-keys types keys into a shell that agentguard cannot read as text' });
    else if (text.trim()) out.push({ kind: 'script', script: lit(text) });
    return;
  }
  if (TMUX_QUIET.has(name)) return;
  if ((name === 'set-option' || name === 'set' || name === 'set-window-option' || name === 'setw' || name === 'set-environment' || name === 'setenv') && !args.some((w) => w.value === null || /^(default-command|default-shell|update-environment|set-titles-string|status-(left|right)|.*-format)$/.test(w.value) || /#\(|^@|hook/.test(w.value))) return;
  out.push({ kind: 'opaque', reason: `tmux ${name} runs tmux or shell commands agentguard does not analyse` });
}

export const tmux: ProgramSpec = runner({
  names: ['tmux'],
  options: TMUX,
  run(o): Run[] {
    const out: Run[] = [];
    const conf = o.values.get('-f') ?? [];
    if (conf.some((f) => f !== '/dev/null')) out.push({ kind: 'opaque', reason: 'tmux reads a configuration file agentguard does not read' });
    // tmux -c CMD: run CMD with the default shell (tmux as a login shell).
    for (const c of o.values.get('-c') ?? []) out.push(c === null ? { kind: 'opaque', reason: 'tmux -c is given a command only known at run time' } : { kind: 'script', script: lit(c) });
    // No command: new-session with the default shell.
    for (const c of tmuxCommands(o.positionals)) tmuxCommand(c, out);
    return out;
  },
});

/** screen(1)'s options: single dash, some several letters long (-ls, -dmS name), some with an optional session word. */
const SCREEN_VALUE = new Set(['-c', '-e', '-h', '-p', '-s', '-S', '-t', '-T', '-Logfile', '-X']);
const SCREEN_LONG_FLAGS = new Set(['-ls', '-list', '-wipe', '-ln', '-fn', '-fa', '-help', '--help', '-version', '--version']);
const SCREEN_LETTERS = new Set('aAdDfilLmOqQrRUvx46'.split(''));

export const screen: ProgramSpec = {
  names: ['screen'],
  runs(args): Run[] {
    const flags = new Set<string>();
    const values = new Map<string, string | null>();
    let i = 0;
    for (; i < args.length; i++) {
      const v = args[i].value;
      if (v === null) return [{ kind: 'opaque', reason: 'screen is given a word only known at run time where an option may stand' }];
      if (!v.startsWith('-') || v === '-') break;
      if (v === '--') {
        i++;
        break;
      }
      if (SCREEN_LONG_FLAGS.has(v)) {
        flags.add(v);
        continue;
      }
      if (SCREEN_VALUE.has(v)) {
        values.set(v, args[++i]?.value ?? null);
        continue;
      }
      // A cluster: -dmS name, -qc file, -L.
      let j = 1;
      for (; j < v.length; j++) {
        const f = '-' + v[j];
        if (SCREEN_VALUE.has(f)) {
          values.set(f, j + 1 < v.length ? v.slice(j + 1) : (args[++i]?.value ?? null));
          break;
        }
        if (!SCREEN_LETTERS.has(v[j])) return unknownOptions('screen', [v]);
        flags.add(f);
      }
    }
    if (['-ls', '-list', '-wipe', '-help', '--help', '-version', '--version', '-v'].some((f) => flags.has(f))) return [];
    const out: Run[] = [];
    const conf = values.get('-c');
    if (conf !== undefined && conf !== '/dev/null') out.push({ kind: 'opaque', reason: 'screen reads a configuration file agentguard does not read' });
    const rest = args.slice(i);
    if (values.has('-X')) {
      // screen -X COMMAND ARGS: a screen command sent to a running session.
      const name = values.get('-X');
      if (name === 'stuff') {
        const text = rest.map((w) => w.value);
        if (text.some((t) => t === null)) out.push({ kind: 'opaque', reason: 'screen -X stuff types text only known at run time' });
        else out.push({ kind: 'script', script: lit(text.join(' ').replace(/\\n|\\r|\\015|\\012|\^M|\^J/g, '\n')) });
      } else if (name === 'screen' || name === 'exec') {
        const argv = name === 'exec' && rest[0]?.value !== null && /^[.!|:]+$/.test(rest[0]?.value ?? '') ? rest.slice(1) : rest;
        if (argv.length) out.push({ kind: 'argv', argv });
      } else if (!['quit', 'detach', 'kill', 'windows', 'title', 'select', 'next', 'prev', 'other', 'hardcopy', 'log', 'logfile', 'sessionname', 'width', 'height'].includes(name ?? '')) {
        out.push({ kind: 'opaque', reason: `screen -X ${name ?? '…'} runs a screen command agentguard does not analyse` });
      }
      return out;
    }
    // Reattaching (-r, -R, -x, -d without -m) names a session, not a command.
    if (!flags.has('-m') && ['-r', '-R', '-x', '-d', '-D'].some((f) => flags.has(f))) return out;
    if (rest.length) out.push({ kind: 'argv', argv: rest });
    else {
      const shell = values.get('-s');
      if (shell === null) out.push({ kind: 'opaque', reason: 'screen -s names a shell only known at run time' });
      else if (shell !== undefined) out.push({ kind: 'argv', argv: [lit(shell)] });
    }
    return out;
  },
};

export const programs = [tmux, screen];
