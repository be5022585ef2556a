// The secret stores' option tables (src/programs/secrets.ts): a global option's value is not
// read as the subcommand, so the rules in rules/secrets see `secrets`, `item`, `kv` where they are.
import { describe, expect, it } from 'vitest';
import { programSpec } from '../../src/programs/index.js';
import { parseOptions } from '../../src/programs/options.js';
import type { Word } from '../../src/shell/types.js';

const words = (vs: string[]): Word[] => vs.map((v) => ({ value: v, raw: v, glob: false }));

/** The subcommand as the rules read it: the first positional after the program's global options. */
function subcommand(line: string): string | null | undefined {
  const [name, ...args] = line.split(' ');
  const spec = programSpec(name);
  if (!spec?.global) throw new Error(`${name} declares no global options`);
  return parseOptions(words(args), { ...spec.global, stopAtPositional: true }).positionals[0]?.value;
}

describe('secret stores: global options before the subcommand', () => {
  it.each([
    ['doppler --project api --config prd secrets get KEY', 'secrets'],
    ['doppler -p api -c prd secrets', 'secrets'],
    ['doppler --token dp.st.x secrets download', 'secrets'],
    ['op --account acme item get x --reveal', 'item'],
    ['op --format json --session tok read op://a/b/c', 'read'],
    ['vault -address https://vault.example kv get secret/x', 'kv'],
    ['vault -namespace=team read secret/x', 'read'],
    ['bw --session abc get password github.com', 'get'],
    ['sops --output-type json decrypt secrets.yaml', 'decrypt'],
    ['infisical --domain https://app.example export', 'export'],
  ])('%s → %s', (line, want) => {
    expect(subcommand(line)).toBe(want);
  });
});
