// Container engines: docker, nerdctl and podman. Their global options come before the
// subcommand; `run` and `create` (also as `container run|create`) start a container whose
// bind mounts give it the host paths they name: written (or read, with :ro), so the rules
// see them (rules/privilege/container-host-access.yaml). The container's own command runs
// inside the container's file system and is not analysed as a command of this machine.
// Compose (docker compose, docker-compose, podman-compose) shares the engines' table of
// options, so that `-f prod.yml` or `--project-name app` before `down` is not its subcommand.
import type { Word } from '../shell/types.js';
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec } from './types.js';
import { dyn, lit, mayReadFiles } from './words.js';

const DOCKER_GLOBAL = ['-H', '--host', '--context', '-c', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey'];
const PODMAN_GLOBAL = ['--connection', '-c', '--url', '--root', '--runroot', '--log-level', '--identity', '--cgroup-manager', '--conmon', '--events-backend', '--hooks-dir', '--imagestore', '--module', '--network-cmd-path', '--network-config-dir', '--out', '--runtime', '--runtime-flag', '--ssh', '--storage-driver', '--storage-opt', '--tmpdir', '--transient-store', '--volumepath'];

/** docker-compose(1) / `docker compose --help`: options that take a value, before and after the subcommand. */
const COMPOSE_VALUES = ['-f', '--file', '-p', '--project-name', '--project-directory', '--env-file', '--profile', '--ansi', '--parallel', '--progress', '--rmi', '--timeout', '--scale', '--index', '--podman-args', '--podman-run-args', '--podman-rm-args', '--podman-stop-args'];

const COMPOSE_GLOBAL: OptionSpec = { takesValue: COMPOSE_VALUES, stopAtPositional: true };

/** `docker run --help` / podman-run(1): options that take a value (the image ends the options). */
const RUN_VALUES = [
  '--add-host', '--annotation', '-a', '--attach', '--blkio-weight', '--blkio-weight-device', '--cap-add', '--cap-drop', '--cgroup-parent', '--cgroupns', '--cidfile', '--cpu-count', '--cpu-percent', '--cpu-period', '--cpu-quota', '--cpu-rt-period', '--cpu-rt-runtime', '-c', '--cpu-shares', '--cpus', '--cpuset-cpus', '--cpuset-mems', '--detach-keys', '--device', '--device-cgroup-rule', '--device-read-bps', '--device-read-iops', '--device-write-bps', '--device-write-iops', '--dns', '--dns-option', '--dns-opt', '--dns-search', '--domainname', '--entrypoint', '-e', '--env', '--env-file', '--expose', '--gpus', '--group-add', '--health-cmd', '--health-interval', '--health-retries', '--health-start-interval', '--health-start-period', '--health-timeout', '-h', '--hostname', '--ip', '--ip6', '--ipc', '--isolation', '--kernel-memory', '-l', '--label', '--label-file', '--link', '--link-local-ip', '--log-driver', '--log-opt', '--mac-address', '-m', '--memory', '--memory-reservation', '--memory-swap', '--memory-swappiness', '--mount', '--name', '--network', '--net', '--network-alias', '--net-alias', '--oom-score-adj', '--pid', '--pids-limit', '--platform', '-p', '--publish', '--pull', '--restart', '--runtime', '--security-opt', '--shm-size', '--stop-signal', '--stop-timeout', '--storage-opt', '--sysctl', '--tmpfs', '--ulimit', '-u', '--user', '--userns', '--uts', '-v', '--volume', '--volume-driver', '--volumes-from', '-w', '--workdir',
  // podman run's own
  '--arch', '--authfile', '--cert-dir', '--chrootdirs', '--conmon-pidfile', '--creds', '--decryption-key', '--device-cgroup-rule', '--env-merge', '--gidmap', '--group-entry', '--hostuser', '--image-volume', '--init-path', '--label-file', '--log-opt', '--os', '--passwd-entry', '--personality', '--pidfile', '--pod', '--pod-id-file', '--preserve-fds', '--requires', '--retry', '--retry-delay', '--rootfs', '--sdnotify', '--seccomp-policy', '--secret', '--subgidname', '--subuidname', '--timeout', '--tz', '--uidmap', '--umask', '--unsetenv', '--variant', '--chrootdirs',
];

/** Where `run`/`create` starts in the argument list, or -1 (docker run, docker container run). */
function runStart(args: readonly Word[], global: OptionSpec): number {
  const g = parseOptions(args, global);
  let i = g.firstPositional;
  if (args[i]?.value === 'container') i++;
  return args[i]?.value === 'run' || args[i]?.value === 'create' ? i + 1 : -1;
}

/** Where exec's own options start (docker exec, docker container exec, docker compose exec), or -1. */
function execStart(args: readonly Word[], global: OptionSpec): number {
  let i = parseOptions(args, global).firstPositional;
  if (args[i]?.value === 'container') i++;
  else if (args[i]?.value === 'compose') i += 1 + parseOptions(args.slice(i + 1), COMPOSE_GLOBAL).firstPositional;
  return args[i]?.value === 'exec' ? i + 1 : -1;
}

/** A host path mounted into the container by -v SRC:DST[:opts] or --mount type=bind,source=SRC[,readonly]. */
interface Mount {
  source: Word;
  readOnly: boolean;
}

/** The current directory as written in a mount ("$(pwd)":/src, ${PWD}:/app), read as `.`; else the value. */
function mountSpec(w: Word): string | null {
  if (w.value !== null) return w.value;
  const m = /^(?:"\$\(pwd\)"|\$\(pwd\)|"`pwd`"|`pwd`|"\$\{?PWD\}?"|\$\{?PWD\}?)(:[^$`"']*)$/.exec(w.raw);
  return m ? `.${m[1]}` : null;
}

function mounts(values: Map<string, Word[]>): Mount[] {
  const out: Mount[] = [];
  for (const w of [...(values.get('-v') ?? []), ...(values.get('--volume') ?? [])]) {
    const v = mountSpec(w);
    if (v === null) {
      out.push({ source: dyn('-v …'), readOnly: false });
      continue;
    }
    // SRC:DST[:OPTS]; a bare DST or a named volume (no / . ~ at its start) is no host path.
    const parts = v.split(':');
    if (parts.length < 2 || !/^[/.~]/.test(parts[0])) continue;
    out.push({ source: lit(parts[0]), readOnly: /(^|,)ro(,|$)/.test(parts[2] ?? '') });
  }
  for (const w of values.get('--mount') ?? []) {
    const v = mountSpec(w);
    if (v === null) {
      out.push({ source: dyn('--mount …'), readOnly: false });
      continue;
    }
    const kv = new Map(v.split(',').map((p) => [p.split('=')[0].trim().toLowerCase(), p.includes('=') ? p.slice(p.indexOf('=') + 1) : 'true'] as const));
    const type = kv.get('type') ?? 'volume';
    const src = kv.get('source') ?? kv.get('src');
    if (type !== 'bind' || src === undefined) continue;
    const ro = ['readonly', 'ro'].some((k) => kv.has(k) && kv.get(k) !== 'false' && kv.get(k) !== '0');
    out.push({ source: lit(src), readOnly: ro });
  }
  return out;
}

/** run's option values as words (a value only known at run time keeps its raw text), up to the image. */
function optionWords(args: readonly Word[]): Map<string, Word[]> {
  const out = new Map<string, Word[]>();
  const add = (k: string, w: Word) => out.set(k, [...(out.get(k) ?? []), w]);
  const takes = new Set(RUN_VALUES);
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === null) {
      // "--volume=$X" and the like: a dynamic word that is an option with its value.
      const m = /^(--?[\w-]+)=(.*)$/.exec(args[i].raw);
      if (m && takes.has(m[1])) {
        add(m[1], { value: null, raw: m[2], glob: false });
        continue;
      }
      break;
    }
    if (v === '--' || !v.startsWith('-') || v === '-') break;
    const eq = v.indexOf('=');
    if (v.startsWith('--') && eq > 0) {
      add(v.slice(0, eq), lit(v.slice(eq + 1)));
      continue;
    }
    if (v.startsWith('--')) {
      if (takes.has(v)) add(v, args[++i] ?? dyn('…'));
      continue;
    }
    // A short cluster (-it, -v SRC:DST, -vSRC:DST): the first letter that takes a value ends it.
    for (let j = 1; j < v.length; j++) {
      const f = '-' + v[j];
      if (!takes.has(f)) continue;
      add(f, j + 1 < v.length ? lit(v.slice(j + 1)) : (args[++i] ?? dyn('…')));
      break;
    }
  }
  return out;
}

/** docker-compose and podman-compose: a compose file's project; `down -v` deletes its volumes (rules/containers). */
export const compose: ProgramSpec = {
  names: ['docker-compose', 'podman-compose'],
  options: { takesValue: COMPOSE_VALUES },
  global: COMPOSE_GLOBAL,
  effects(a, out) {
    const g = parseOptions(a.args, COMPOSE_GLOBAL);
    if (a.args[g.firstPositional]?.value !== 'exec') return mayReadFiles(a, out);
    // As for docker exec: the command and its paths are the container's.
    for (const w of optionWords(a.args.slice(g.firstPositional + 1)).get('--env-file') ?? []) out.reads.push(w);
  },
};

function engine(names: string[], globals: string[]): ProgramSpec {
  const global: OptionSpec = { takesValue: globals, stopAtPositional: true };
  return {
    names,
    // For rules: the global options and run's, so that values are not read as operands.
    options: {
      takesValue: [...new Set([...globals, ...RUN_VALUES, ...COMPOSE_VALUES, '-f', '--filter', '--format', '--build-arg', '--target', '--file', '--project-name', '--until', '-t', '--tag'])].filter((o) => o !== '-t'),
      // compose down --volumes, system prune --volumes: a flag of its own, not a prefix of run's --volumes-from.
      flags: ['--volumes'],
    },
    global,
    effects(a, out) {
      const at = runStart(a.args, global);
      const ex = at < 0 ? execStart(a.args, global) : -1;
      if (ex >= 0) {
        // The command exec runs, and the paths it names, are the container's, not this machine's.
        for (const w of optionWords(a.args.slice(ex)).get('--env-file') ?? []) out.reads.push(w);
        return;
      }
      if (at < 0) {
        // Other subcommands (build -f Dockerfile ., cp FILE c:/x): a word that looks like a file may be read.
        mayReadFiles(a, out);
        return;
      }
      const values = optionWords(a.args.slice(at));
      for (const m of mounts(values)) (m.readOnly ? out.reads : out.writes).push(m.source);
      for (const w of [...(values.get('--env-file') ?? []), ...(values.get('--label-file') ?? [])]) out.reads.push(w);
    },
  };
}

export const docker = engine(['docker', 'nerdctl'], DOCKER_GLOBAL);
export const podman = engine(['podman'], PODMAN_GLOBAL);

export const programs = [docker, podman, compose];
