// Service and infrastructure CLIs: their options, so that option values are not read as
// subcommands or files. What each one may destroy or reveal is in the rules (rules/data-infra).
import type { OptionSpec } from './options.js';
import type { ProgramSpec } from './types.js';

function cli(names: string[], takesValue: string[], global?: OptionSpec): ProgramSpec {
  return { names, options: { takesValue }, global };
}

const KUBECTL = ['-n', '--namespace', '--context', '--cluster', '--user', '-s', '--server', '--kubeconfig', '--token', '--as', '--as-group', '-l', '--selector', '-o', '--output', '-f', '--filename', '--grace-period', '--timeout', '-c', '--container', '--field-selector', '--type', '--image', '-p', '--patch', '--from-literal', '--from-file', '--docker-password'];
export const kubectl = cli(['kubectl', 'oc', 'kubecolor'], KUBECTL, { takesValue: KUBECTL });
const HELM = ['-n', '--namespace', '--kube-context', '--kubeconfig', '--timeout', '-f', '--values', '--set', '--set-string', '--set-file', '--version', '--repo', '-o', '--output'];
export const helm = cli(['helm'], HELM, { takesValue: HELM });
const DOCKER_GLOBAL = ['-H', '--host', '--context', '-c', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey'];
export const docker = cli(
  ['docker', 'nerdctl'],
  [...DOCKER_GLOBAL, '-f', '--filter', '--format', '-e', '--env', '--env-file', '-v', '--volume', '--mount', '-p', '--publish', '-w', '--workdir', '--name', '--network', '-u', '--user', '--entrypoint', '-t', '--tag', '--platform', '--until', '--cap-add', '--device', '--pid', '--ipc', '--security-opt', '-m', '--memory', '--cpus', '--label', '--build-arg', '--target', '--file', '--project-name'],
  { takesValue: DOCKER_GLOBAL, stopAtPositional: true },
);
export const podman = cli(['podman'], ['--connection', '-c', '--url', '--root', '--runroot', '--log-level', '-e', '--env', '-v', '--volume', '--mount', '-p', '--publish', '-w', '--workdir', '--name', '--network', '-u', '--user', '--entrypoint', '-t', '--tag', '--format', '-f', '--filter'], {
  takesValue: ['--connection', '-c', '--url', '--root', '--runroot', '--log-level'],
  stopAtPositional: true,
});
const AWS = ['--profile', '--region', '--output', '--endpoint-url', '--query', '--cli-input-json', '--color'];
export const aws = cli(['aws'], AWS, { takesValue: AWS });
const GCLOUD = ['--project', '--account', '--configuration', '--format', '--verbosity', '--zone', '--region'];
export const gcloud = cli(['gcloud', 'gsutil'], GCLOUD, { takesValue: GCLOUD });
const AZ = ['--subscription', '-g', '--resource-group', '-o', '--output', '--query', '-n', '--name'];
export const az = cli(['az'], AZ, { takesValue: AZ });
export const terraform: ProgramSpec = { names: ['terraform', 'tofu', 'terragrunt'], options: { singleDashLong: true }, global: { singleDashLong: true } };
export const gh = cli(['gh'], ['-R', '--repo', '-t', '--title', '-b', '--body', '-F', '--body-file', '--notes', '-n', '--base', '-B', '--head', '-H', '-L', '--limit', '-l', '--label', '-a', '--assignee', '--json', '-q', '--jq', '-X', '--method', '-f', '--raw-field', '--field'], { takesValue: ['-R', '--repo'] });
export const psql = cli(['psql', 'pgcli'], ['-c', '--command', '-d', '--dbname', '-h', '--host', '-p', '--port', '-U', '--username', '-f', '--file', '-v', '--set', '--variable', '-o', '--output', '-P', '--pset', '-L', '--log-file']);
export const mysql = cli(['mysql', 'mariadb', 'mycli'], ['-e', '--execute', '-u', '--user', '-h', '--host', '-P', '--port', '-D', '--database', '-S', '--socket', '--defaults-file', '--defaults-extra-file', '--login-path']);
const REDIS = ['-h', '-p', '-a', '-n', '-u', '-s', '--user', '--pass', '--askpass'];
export const redis = cli(['redis-cli', 'valkey-cli', 'keydb-cli'], REDIS, { takesValue: REDIS });
const SYSTEMCTL = ['-H', '--host', '-M', '--machine', '-t', '--type', '-p', '--property', '-s', '--signal', '--state', '--root', '-n', '--lines', '-o', '--output'];
export const systemctl = cli(['systemctl'], SYSTEMCTL, { takesValue: SYSTEMCTL });
export const kill: ProgramSpec = { names: ['kill', 'pkill', 'killall'], options: { takesValue: ['-s', '-n', '--signal', '-u', '-U', '-g', '-G', '-P', '-t', '--ns'] }, dataOnly: true };
export const crontab = cli(['crontab'], ['-u']);

export const programs = [kubectl, helm, docker, podman, aws, gcloud, az, terraform, gh, psql, mysql, redis, systemctl, kill, crontab];
