// The rule file format: zod schemas (with descriptions, exported as JSON Schema for
// editors) and the types inferred from them.
import { z } from 'zod';

import { ACTIONS, SEVERITIES } from './actions.js';

export { ACTIONS, SEVERITIES };
export type { Action, Severity } from './actions.js';

const oneOrMany = (what: string) =>
  z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .describe(`${what}: one value or a list; "@name" refers to a named list in lists.yaml`);

export interface MatchExpr {
  program?: string | string[];
  subcommand?: string | string[];
  flags?: string[];
  args?: string | string[];
  words?: string | string[];
  regex?: string;
  writes?: string | string[];
  reads?: string | string[];
  pipeline?: { from: string | string[]; to?: string | string[] };
  substitution?: { from: string | string[] };
  runs_file_from?: string | string[];
  stdin_regex?: string;
  script_from_stdin?: boolean;
  operands?: string | string[];
  hosts?: string | string[];
  host_not_in?: string | string[];
  variables?: string | string[];
  recursive_function?: boolean;
  text?: string | string[];
  assigns?: string | string[];
  wrapped_by?: string | string[];
  any_of?: MatchExpr[];
  all_of?: MatchExpr[];
  not?: MatchExpr;
}

const MatchObject = z
    .object({
      program: oneOrMany('Program names, compared by basename (/usr/bin/rm, \\rm and "rm" all mean rm), after wrappers such as sudo/env/xargs are unwrapped').optional(),
      subcommand: oneOrMany('The first positional word after the program\'s global options (git -C dir push → push); any of these').optional(),
      flags: z
        .array(z.string().regex(/^--?[^-=\s][^=\s]*$/, 'a flag looks like -f or --force'))
        .min(1)
        .describe('Any of these flags is present, in any spelling: bundled (-rf has -r), --opt=value, and unambiguous long prefixes (--rec means --recursive)')
        .optional(),
      args: oneOrMany('Any positional (non-option) word matches any of these globs (* matches anything, including /)').optional(),
      words: oneOrMany('Any argv word after the program, options included, matches any of these globs').optional(),
      regex: z.string().describe('A JavaScript regular expression tested against each argv word after the program, for what nothing else expresses').optional(),
      writes: oneOrMany('Any path the command writes (redirects, cp/mv/ln destinations, tee, dd of=, sed -i, rm …) matches any of these path globs, after cd, ~, .. and symlinks are resolved. {workspace} is each workspace root, {tmpdir} is $TMPDIR (or /tmp); "dir/**" also matches dir itself').optional(),
      reads: oneOrMany('Any path the command reads (input redirects, cat/grep files, cp sources, curl -d @file …) matches any of these path globs').optional(),
      pipeline: z
        .object({
          from: oneOrMany('A program earlier in the same pipeline'),
          to: oneOrMany('This command\'s program (optional; same as `program`)').optional(),
        })
        .strict()
        .describe('This command reads, directly or through other stages, the output of `from` (curl … | tee f | sh)')
        .optional(),
      substitution: z
        .object({ from: oneOrMany('A program inside a $(…), `…` or <(…) in this command\'s words or redirects') })
        .strict()
        .describe('This command takes a script or argument from a substitution run by `from` (bash <(curl …), sh -c "$(wget …)")')
        .optional(),
      runs_file_from: oneOrMany('This command runs (as a program, or as a script given to a shell/interpreter) a file that an earlier command in the line wrote, and that command is one of these').optional(),
      stdin_regex: z.string().describe('A regular expression tested against the literal text fed to the command by a heredoc, here-string or echo pipe').optional(),
      operands: oneOrMany('Any positional word after the subcommand matches a glob (npm install <operand>), with the program\'s value-taking options skipped').optional(),
      hosts: oneOrMany('Any network destination of the command (curl/wget URLs, ssh/nc hosts, scp host:path, git URLs) matches a host glob (*.example.com)').optional(),
      host_not_in: oneOrMany('Some network destination of the command matches none of these host globs (a destination only known at run time may match)').optional(),
      variables: oneOrMany('A word of the command references an environment variable whose name matches a glob ($AWS_SECRET_ACCESS_KEY, ${GITHUB_TOKEN})').optional(),
      recursive_function: z.boolean().describe('The command calls a shell function defined in the line that calls itself (the shape of a fork bomb)').optional(),
      script_from_stdin: z.boolean().describe('The command takes the program it runs from stdin: sh, bash -s, python -, node with no script argument').optional(),
      text: oneOrMany('The command\'s source text, as written before expansion, matches any of these globs (* matches anything, including /): for literal mentions of a path whatever the program (a private copy of a shell, a socket)').optional(),
      assigns: oneOrMany('A leading VAR=value of the command (also through env) sets a variable whose name matches any of these globs').optional(),
      wrapped_by: oneOrMany('The command was started through one of these wrappers (sudo, env, xargs …)').optional(),
      get any_of() {
        return z.array(MatchObject).min(1).describe('At least one of these holds').optional();
      },
      get all_of() {
        return z.array(MatchObject).min(1).describe('All of these hold').optional();
      },
      get not() {
        return MatchObject.optional().describe('This does not hold');
      },
    })
    .strict()
    .describe('All conditions given in one block must hold (an implicit all_of); a block needs at least one condition');

export const MatchSchema = MatchObject.refine((m) => Object.keys(m).length > 0, 'a match block needs at least one condition');

export const RuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes').describe('Unique rule id; equals the file name without .yaml'),
    action: z.enum(ACTIONS).describe('allow < ask < deny; the strictest action over every matching rule wins'),
    severity: z.enum(SEVERITIES).describe('How bad the outcome would be, shown in prompts and logs'),
    message: z.string().min(1).describe('Shown to the person and to the agent: what is dangerous and, where one exists, the safer alternative'),
    match: MatchSchema as unknown as z.ZodType<MatchExpr>,
    examples: z
      .object({
        match: z.array(z.string().min(1)).min(1).describe('Command lines this rule must match'),
        no_match: z.array(z.string().min(1)).min(1).describe('Look-alike command lines this rule must not match'),
      })
      .strict()
      .describe('Checked by `agentguard rules test` and the test suite; a rule without both kinds does not load'),
  })
  .strict();

export type RuleSpec = z.infer<typeof RuleSchema>;

export const ListsSchema = z
  .object({
    lists: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), z.array(z.string().min(1)))
      .describe('Named lists referenced as "@name" from rules; a later file appends to a list of the same name'),
  })
  .strict();

export type ListsSpec = z.infer<typeof ListsSchema>;

/** JSON Schema for rule files, so that editors validate and complete them. */
export function ruleJsonSchema(): unknown {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'agentguard rule', ...z.toJSONSchema(RuleSchema, { io: 'input' }) };
}
