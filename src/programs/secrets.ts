// Secret stores and password managers (doppler, 1Password's op, vault, bw, sops, infisical):
// their options, so that a value such as `--project api` or `--vault Private` is not read as a
// subcommand. What they may print into the agent's context is in the rules (rules/secrets).
import { cli } from './cli.js';
import type { ProgramSpec } from './types.js';

const DOPPLER = ['-p', '--project', '-c', '--config', '-t', '--token', '--scope', '--api-host', '--dashboard-host', '--configuration', '--format', '--name', '--fallback', '--mount', '--command'];
export const doppler = cli(['doppler'], DOPPLER, { takesValue: DOPPLER });
const OP = ['--account', '--config', '--encoding', '--format', '--session', '--vault', '--fields', '--field', '-o', '--out-file', '-i', '--in-file', '--env-file', '--categories', '--tags'];
export const op = cli(['op'], OP, { takesValue: ['--account', '--config', '--encoding', '--format', '--session'] });
// Go's flag package: single-dash long options (-field=password, -mount secret).
const VAULT = ['-address', '-namespace', '-ns', '-format', '-field', '-mount', '-version', '-versions', '-policy', '-method', '-path', '-ca-cert', '-client-cert', '-client-key', '-wrap-ttl', '-ttl', '-role', '-display-name', '-header'];
export const vault: ProgramSpec = { names: ['vault', 'bao'], options: { singleDashLong: true, takesValue: VAULT }, global: { singleDashLong: true, takesValue: VAULT } };
const BW = ['--session', '--search', '--url', '--folderid', '--collectionid', '--organizationid', '--output', '--format', '--itemid'];
export const bw = cli(['bw'], BW, { takesValue: ['--session'] });
const SOPS = ['--extract', '--output', '--input-type', '--output-type', '--config', '--kms', '--pgp', '--age', '--gcp-kms', '--azure-kv', '--hc-vault-transit', '--set', '--filename-override', '--encrypted-regex', '--unencrypted-regex', '--encryption-context', '--aws-profile'];
export const sops = cli(['sops'], SOPS, { takesValue: SOPS });
const INFISICAL = ['--env', '--projectId', '--path', '--domain', '--token', '--format', '--output', '--tags'];
export const infisical = cli(['infisical'], INFISICAL, { takesValue: INFISICAL });

export const programs = [doppler, op, vault, bw, sops, infisical];
