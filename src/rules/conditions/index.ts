// Every condition of the match language, in the order a block's parts are checked (and
// their witnesses listed). Adding a condition is one module and one line here: the rule
// schema, the MatchExpr type, the JSON Schema and the README's reference follow from it.
import type { z } from 'zod';
import { assigns } from './assigns.js';
import { allOf, anyOf, not } from './combinators.js';
import type { Condition } from './core.js';
import { environment } from './environment.js';
import { flags } from './flags.js';
import { hostNotIn, hosts } from './hosts.js';
import { reads, writes } from './paths.js';
import { pipeline } from './pipeline.js';
import { program } from './program.js';
import { recursiveFunction } from './recursive-function.js';
import { regex, stdinRegex } from './regex.js';
import { runsFileFromCondition } from './runs-file-from.js';
import { scriptFromStdin } from './script-from-stdin.js';
import { subcommand } from './subcommand.js';
import { substitution } from './substitution.js';
import { text } from './text.js';
import { variables } from './variables.js';
import { args, operands, words } from './word-globs.js';
import { wrappedBy } from './wrapped-by.js';
import { writesMoreThan } from './writes-more-than.js';
import { minOperands } from './operand-count.js';

export const CONDITIONS = [
  program,
  subcommand,
  flags,
  args,
  words,
  regex,
  stdinRegex,
  operands,
  minOperands,
  hosts,
  hostNotIn,
  variables,
  recursiveFunction,
  scriptFromStdin,
  writes,
  reads,
  writesMoreThan,
  text,
  assigns,
  environment,
  wrappedBy,
  pipeline,
  substitution,
  runsFileFromCondition,
  allOf,
  anyOf,
  not,
] as const;

type AnyCondition = (typeof CONDITIONS)[number];
type ValueOf<C> = C extends Condition<string, infer S> ? z.output<S> : never;

/** A rule's match block: each condition optional, its value typed by the condition's schema. */
export type MatchExpr = { [C in AnyCondition as C['key']]?: ValueOf<C> };

export type ConditionKey = AnyCondition['key'];

type SchemaOf<C> = C extends Condition<string, infer S> ? S : never;

/** The zod shape of a match block: each condition's schema, optional. */
export type MatchShape = { [C in AnyCondition as C['key']]: z.ZodOptional<SchemaOf<C>> };
