// Cloud and infrastructure CLIs (aws, gcloud, az, terraform, pulumi, the serverless stack
// tools and the hosting platforms' CLIs): their value-taking options, so that a value such as
// --profile prod, -a my-app or --stage prod is not read as a subcommand or an operand.
// What they may destroy, expose or change is in the rules (rules/cloud).
import { cli } from './cli.js';
import type { ProgramSpec } from './types.js';

const AWS = ['--profile', '--region', '--output', '--endpoint-url', '--query', '--cli-input-json', '--cli-input-yaml', '--color', '--ca-bundle', '--cli-read-timeout', '--cli-connect-timeout', '--cli-binary-format'];
// Nearly every other aws option takes a value (--instance-ids "$ID", --bucket b); these are its
// switches (global ones, the s3 transfer commands', and the common API booleans; --no-* are switches).
const AWS_SWITCHES = [
  '--debug', '--cli-auto-prompt', '--paginate',
  '--dryrun', '--dry-run', '--quiet', '--recursive', '--delete', '--force', '--follow-symlinks', '--only-show-errors', '--ignore-glacier-warnings', '--force-glacier-transfer', '--exact-timestamps', '--size-only', '--human-readable', '--summarize', '--request-payer',
  '--with-decryption', '--overwrite', '--publicly-accessible', '--apply-immediately', '--skip-final-snapshot', '--force-delete-without-recovery', '--multi-az', '--copy-tags-to-snapshot', '--deletion-protection', '--enable-iam-database-authentication', '--force-new-deployment', '--generate-cli-skeleton', '--include-all-instances', '--all',
];
const AWS_OPTIONS = { takesValue: AWS, flags: AWS_SWITCHES, longValues: true };
export const aws: ProgramSpec = { names: ['aws'], options: AWS_OPTIONS, global: AWS_OPTIONS };
const GCLOUD = ['--project', '--account', '--configuration', '--format', '--verbosity', '--zone', '--region', '--impersonate-service-account', '--billing-project', '--access-token-file', '--flatten', '--filter', '--limit', '--sort-by', '--page-size', '--trace-token'];
export const gcloud = cli(['gcloud'], GCLOUD, { takesValue: GCLOUD });
// gsutil's top-level options come before the command: gsutil -o Boto:x=y -h Header:v -u project rm …
const GSUTIL = ['-o', '-h', '-u', '-p'];
export const gsutil = cli(['gsutil'], GSUTIL, { takesValue: GSUTIL });
const AZ = ['--subscription', '-g', '--resource-group', '-o', '--output', '--query', '-n', '--name'];
export const az = cli(['az'], AZ, { takesValue: AZ });
// Go's flag package: a non-boolean option takes the next word too (-var 'x=1', -out tfplan), so that
// the word after it is not read as the plan file terraform apply would run without asking.
const TERRAFORM = ['-chdir', '-var', '-var-file', '-target', '-replace', '-state', '-state-out', '-backup', '-lock-timeout', '-parallelism', '-out', '-backend-config', '-lockfile', '-generate-config-out', '-config', '-provider', '-exclude'];
export const terraform: ProgramSpec = { names: ['terraform', 'tofu', 'terragrunt'], options: { singleDashLong: true, takesValue: TERRAFORM }, global: { singleDashLong: true, takesValue: ['-chdir'] } };

// Infrastructure-as-code and serverless stack tools.
const PULUMI = ['-C', '--cwd', '-s', '--stack', '--color', '--config-file', '-c', '--config', '--target', '--replace', '-m', '--message', '-p', '--parallel'];
export const pulumi = cli(['pulumi'], PULUMI, { takesValue: ['-C', '--cwd', '-s', '--stack', '--color'] });
const CDK = ['-a', '--app', '-c', '--context', '--profile', '--role-arn', '-r', '-o', '--output', '--plugin', '-p', '--require-approval', '--toolkit-stack-name', '--parameters', '--exclusively'];
export const cdk = cli(['cdk', 'cdktf', 'aws-cdk', 'cdktf-cli'], CDK, { takesValue: ['-a', '--app', '-c', '--context', '--profile', '--role-arn', '-o', '--output', '--plugin'] });
const SERVERLESS = ['-s', '--stage', '-r', '--region', '--aws-profile', '-c', '--config', '--param', '-f', '--function'];
export const serverless = cli(['serverless', 'sls', 'osls'], SERVERLESS, { takesValue: SERVERLESS });
const SAM = ['--stack-name', '--region', '--profile', '--config-env', '--config-file', '-t', '--template', '--template-file', '--s3-bucket', '--capabilities', '--parameter-overrides'];
export const sam = cli(['sam'], SAM, { takesValue: ['--region', '--profile', '--config-env', '--config-file'] });
const COPILOT = ['-a', '--app', '-e', '--env', '-n', '--name', '--profile'];
export const copilot = cli(['copilot'], COPILOT, { takesValue: COPILOT });
const EB = ['--profile', '--region', '-r', '-l', '--label', '-m', '--message', '--timeout'];
export const eb = cli(['eb'], EB, { takesValue: ['--profile', '--region', '-r'] });
const SST = ['--stage', '--config'];
export const sst = cli(['sst'], SST, { takesValue: SST });
const AMPLIFY = ['--envName', '--appId', '--profile'];
export const amplify = cli(['amplify'], AMPLIFY, { takesValue: AMPLIFY });

// Hosting platforms.
const VERCEL = ['-t', '--token', '-S', '--scope', '-T', '--team', '--cwd', '-A', '--local-config', '-Q', '--global-config', '-e', '--env', '-b', '--build-env', '-m', '--meta', '--target', '--regions', '--archive'];
export const vercel = cli(['vercel', 'vc'], VERCEL, { takesValue: ['-t', '--token', '-S', '--scope', '-T', '--team', '--cwd', '-A', '--local-config', '-Q', '--global-config'] });
const NETLIFY = ['-d', '--dir', '-f', '--functions', '-m', '--message', '--alias', '--branch', '-b', '-s', '--site', '--auth', '-a', '--filter', '--context', '--timeout', '--scope'];
export const netlify = cli(['netlify', 'ntl', 'netlify-cli'], NETLIFY, { takesValue: ['--auth', '--filter', '-s', '--site'] });
const FLY = ['-a', '--app', '-c', '--config', '-r', '--region', '-t', '--access-token', '--image', '-e', '--env', '--strategy', '-o', '--org', '--vm-size', '--dockerfile', '--build-arg', '--build-secret', '--label'];
export const fly = cli(['fly', 'flyctl'], FLY, { takesValue: ['-a', '--app', '-c', '--config', '-t', '--access-token'] });
const HEROKU = ['-a', '--app', '-r', '--remote', '--confirm', '-t', '--team', '-s', '--space'];
export const heroku = cli(['heroku'], HEROKU, { takesValue: HEROKU });
const RAILWAY = ['-s', '--service', '-e', '--environment', '-p', '--project'];
export const railway = cli(['railway'], RAILWAY, { takesValue: RAILWAY });
const WRANGLER = ['-c', '--config', '-e', '--env', '--name', '--cwd', '--binding', '--namespace-id', '--account-id', '--compatibility-date', '--project-name', '--branch', '--env-file', '--jurisdiction', '--message', '--tag'];
export const wrangler = cli(['wrangler'], WRANGLER, { takesValue: ['-c', '--config', '-e', '--env', '--cwd', '--env-file'] });
const DOCTL = ['-t', '--access-token', '--context', '-o', '--output', '-c', '--config', '--format', '-u', '--api-url'];
export const doctl = cli(['doctl'], DOCTL, { takesValue: DOCTL });
const SUPABASE = ['--workdir', '--project-ref', '-o', '--output', '--profile', '--network-id', '--dns-resolver', '--env-file', '--org-id'];
export const supabase = cli(['supabase'], SUPABASE, { takesValue: ['--workdir', '-o', '--output', '--profile', '--network-id', '--dns-resolver'] });

export const programs = [aws, gcloud, gsutil, az, terraform, pulumi, cdk, serverless, sam, copilot, eb, sst, amplify, vercel, netlify, fly, heroku, railway, wrangler, doctl, supabase];
