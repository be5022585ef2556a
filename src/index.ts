// The public library API.
export { createGuard, type Guard, type GuardOptions, type CheckRequest, type Explanation } from './guard.js';
export type { Decision, RuleMatch, Action, Severity } from './policy/decision.js';
export { evaluate, type PolicyContext } from './policy/evaluate.js';
export { analyse } from './shell/analyse.js';
export { loadParser } from './shell/parser.js';
export { realFs, tableFs, inputsUnchanged, type FsView, type FileInput, type ReadResult, type Stamp } from './shell/fsview.js';
export type { Script, Command, Word, ShellContext } from './shell/types.js';
export { loadRules, defaultRuleSources, RuleLoadError, SKIPPED_RULE, warningText, type RuleSources, type RuleWarning, type SkippedFile } from './rules/load.js';
export { compileRules, type RuleSet } from './rules/ruleset.js';
