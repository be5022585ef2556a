// What the container and Kubernetes modules know: which word is the subcommand after
// compose's and the cluster tools' own options, that docker exec's paths are the container's,
// and which client a bundled kubectl (minikube kubectl, microk8s kubectl) runs.
import { describe, expect, it } from 'vitest';
import { innerCommands, optionSpecOf, programEffects, programSpec } from '../../src/programs/index.js';
import { parseOptions } from '../../src/programs/options.js';
import { lit } from '../../src/programs/words.js';

const words = (line: string) => line.split(' ').map(lit);
const values = (ws: { value: string | null }[]) => ws.map((w) => w.value);

/** The subcommand as subcommandOf reads it: the first positional after the global options. */
function subcommand(program: string, line: string): string | null {
  const g = programSpec(program)?.global ?? {};
  return parseOptions(words(line), { ...g, stopAtPositional: true }).positionals[0]?.value ?? null;
}

describe('subcommands after the tools own options', () => {
  it.each([
    ['docker-compose', '-f docker-compose.prod.yml -p shop down -v', 'down'],
    ['docker-compose', '--project-directory infra --env-file .env.test down', 'down'],
    ['podman-compose', '--file compose.yml rm -fsv', 'rm'],
    ['kind', '--name dev delete', 'delete'],
    ['minikube', '-p staging delete', 'delete'],
    ['eksctl', '--region eu-west-1 delete', 'delete'],
    ['kubectl', '--request-timeout 5s scale', 'scale'],
    ['helm', '--kube-context prod upgrade', 'upgrade'],
  ])('%s %s → %s', (program, line, sub) => {
    expect(subcommand(program, line)).toBe(sub);
  });
});

describe('docker flags', () => {
  it('--volumes is its own flag, not a prefix of run --volumes-from', () => {
    const o = parseOptions(words('compose down --volumes api'), optionSpecOf('docker'));
    expect(o.flags).toContain('--volumes');
    expect(o.flags).not.toContain('--volumes-from');
    expect(values(o.positionals)).toEqual(['compose', 'down', 'api']);
  });
});

describe("exec's paths are the container's", () => {
  it.each([
    ['docker', 'exec web cat /etc/passwd'],
    ['docker', 'exec -it -w /srv web ls /var/lib'],
    ['docker', 'container exec web cat /etc/hosts'],
    ['docker', 'compose -f prod.yml exec db ls /etc'],
    ['docker-compose', 'exec db cat /etc/hosts'],
    ['podman', 'exec web cat /root/.profile'],
  ])('%s %s reads nothing on this machine', (program, line) => {
    const e = programEffects(program, words(line));
    expect({ reads: values(e.reads), writes: values(e.writes) }).toEqual({ reads: [], writes: [] });
  });

  it('exec --env-file reads the file on this machine', () => {
    expect(values(programEffects('docker', words('exec --env-file .env.local web ls')).reads)).toEqual(['.env.local']);
  });

  it('other subcommands still read the files they name (docker build -f)', () => {
    expect(values(programEffects('docker', words('build -f /etc/Dockerfile .')).reads)).toContain('/etc/Dockerfile');
  });
});

describe('bundled clients', () => {
  it.each([
    ['minikube', 'kubectl -- delete ns prod', ['kubectl', 'delete', 'ns', 'prod']],
    ['minikube', '-p dev kubectl -- get pods', ['kubectl', 'get', 'pods']],
    ['microk8s', 'kubectl delete pod web-0', ['kubectl', 'delete', 'pod', 'web-0']],
    ['microk8s', 'helm3 uninstall api', ['helm', 'uninstall', 'api']],
    ['k3s', 'kubectl get nodes', ['kubectl', 'get', 'nodes']],
  ])('%s %s runs %j', (program, line, argv) => {
    const runs = innerCommands(program, words(line));
    expect(runs).toHaveLength(1);
    expect(runs?.[0].kind === 'argv' ? values(runs[0].argv) : runs?.[0]).toEqual(argv);
  });

  it.each([['minikube', 'delete --all'], ['microk8s', 'reset'], ['k3s', 'server']])('%s %s runs no client', (program, line) => {
    expect(innerCommands(program, words(line))).toEqual([]);
  });
});
