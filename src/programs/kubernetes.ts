// Kubernetes clients (kubectl and its aliases, helm) and the local-cluster and cluster
// lifecycle tools (kind, minikube, k3d, eksctl): their value-taking options, so that -n prod
// or --name dev is not read as a subcommand or operand. What they may destroy or reveal is in
// the rules (rules/containers).
import type { Word } from '../shell/types.js';
import { cli } from './cli.js';
import { parseOptions, type OptionSpec } from './options.js';
import type { ProgramSpec, Run } from './types.js';
import { lit } from './words.js';

const KUBECTL = ['-n', '--namespace', '--context', '--cluster', '--user', '-s', '--server', '--kubeconfig', '--token', '--as', '--as-group', '-l', '--selector', '-o', '--output', '-f', '--filename', '--grace-period', '--timeout', '-c', '--container', '--field-selector', '--type', '--image', '-p', '--patch', '--from-literal', '--from-file', '--docker-password',
  // kubectl scale / apply / rollout / patch (kubectl <verb> --help)
  '--replicas', '--current-replicas', '--resource-version', '--prune-allowlist', '--prune-whitelist', '--to-revision', '-k', '--kustomize', '--field-manager', '--for', '--min', '--max', '--cpu-percent', '--port', '--target-port', '--name', '--overrides', '--env', '-e', '--request-timeout', '--cache-dir', '--certificate-authority', '--client-certificate', '--client-key', '--tls-server-name', '-v', '--v', '--log-file', '--vmodule'];
export const kubectl = cli(['kubectl', 'oc', 'kubecolor'], KUBECTL, { takesValue: KUBECTL });
const HELM = ['-n', '--namespace', '--kube-context', '--kubeconfig', '--timeout', '-f', '--values', '--set', '--set-string', '--set-file', '--set-json', '--version', '--repo', '-o', '--output', '--kube-apiserver', '--kube-token', '--kube-as-user', '--kube-as-group', '--kube-ca-file', '--registry-config', '--repository-cache', '--repository-config', '--burst-limit', '--description', '--history-max', '--max', '--post-renderer', '--post-renderer-args', '--cascade'];
export const helm = cli(['helm'], HELM, { takesValue: HELM });

// kind delete cluster --name dev; minikube delete -p dev; k3d cluster delete dev; eksctl delete cluster --name prod.
const KIND = ['--name', '-n', '--kubeconfig', '--config', '--image', '--wait', '--retain', '-v', '--verbosity'];
export const kind = cli(['kind'], KIND, { takesValue: KIND });
/**
 * minikube kubectl -- delete ns x, microk8s kubectl delete ns x, k3s kubectl …: the bundled
 * client, run with the words after it (minikube's own `--` dropped).
 */
function bundled(names: string[], takesValue: string[], clients: string[]): ProgramSpec {
  const global: OptionSpec = { takesValue, stopAtPositional: true };
  return {
    names,
    options: { takesValue },
    global,
    runs(args: readonly Word[]): Run[] {
      const o = parseOptions(args, global);
      const [sub, ...rest] = o.positionals;
      if (sub?.value == null || !clients.includes(sub.value)) return [];
      const argv = rest[0]?.value === '--' ? rest.slice(1) : rest;
      return [{ kind: 'argv', argv: [lit(sub.value === 'helm3' ? 'helm' : sub.value), ...argv] }];
    },
  };
}

const MINIKUBE = ['-p', '--profile', '--driver', '--kubernetes-version', '--cpus', '--memory', '--disk-size', '--nodes', '-n', '--node', '--container-runtime', '--addons', '--log_dir', '-v', '--v', '--alsologtostderr'];
export const minikube = bundled(['minikube'], MINIKUBE, ['kubectl']);
export const microk8s = bundled(['microk8s', 'k3s'], [], ['kubectl', 'helm', 'helm3']);
const K3D = ['-c', '--config', '--servers', '-s', '--agents', '-a', '--image', '-i', '--api-port', '-p', '--port', '--network', '--registry-use', '--timeout', '--k3s-arg', '--volume', '-v', '--env', '-e'];
export const k3d = cli(['k3d'], K3D, { takesValue: K3D });
const EKSCTL = ['-n', '--name', '--cluster', '-r', '--region', '-p', '--profile', '-f', '--config-file', '--timeout', '-v', '--verbose', '--nodegroup', '--parallel', '--drain-parallel', '--max-grace-period', '--pod-eviction-wait-period', '-o', '--output'];
export const eksctl = cli(['eksctl'], EKSCTL, { takesValue: EKSCTL });

export const programs = [kubectl, helm, kind, minikube, microk8s, k3d, eksctl];
