// Kubernetes clients (kubectl and its aliases, helm): their global options, so that -n prod
// is not read as a subcommand. What they may destroy or reveal is in the rules (rules/containers).
import { cli } from './cli.js';

const KUBECTL = ['-n', '--namespace', '--context', '--cluster', '--user', '-s', '--server', '--kubeconfig', '--token', '--as', '--as-group', '-l', '--selector', '-o', '--output', '-f', '--filename', '--grace-period', '--timeout', '-c', '--container', '--field-selector', '--type', '--image', '-p', '--patch', '--from-literal', '--from-file', '--docker-password'];
export const kubectl = cli(['kubectl', 'oc', 'kubecolor'], KUBECTL, { takesValue: KUBECTL });
const HELM = ['-n', '--namespace', '--kube-context', '--kubeconfig', '--timeout', '-f', '--values', '--set', '--set-string', '--set-file', '--version', '--repo', '-o', '--output'];
export const helm = cli(['helm'], HELM, { takesValue: HELM });

export const programs = [kubectl, helm];
