/** The score module's public API (DESIGN.md §4). Pure: no I/O except reading template files. */
export { parseScore, type ParseScoreOptions, type ScoreParseResult } from "./parse.ts";
export type * from "./config.ts";
export type { ScoreProblem, SheetPlan, SkipWhenCommand } from "./types.ts";
export {
  translatePythonRegex,
  compilePythonRegex,
  PythonRegexError,
  type TranslatedRegex,
} from "./regex.ts";
export { resolvePromptTemplate } from "./template.ts";
export { ACTED_ON_KEYS } from "./warnings.ts";
export { KNOWN_INSTRUMENTS, DEFAULT_INSTRUMENT } from "./instruments.ts";
export { formatProblem } from "./problems.ts";
export { DEFAULT_RATE_LIMIT_PATTERNS } from "./schema/execution.ts";
export { MAX_SHEETS } from "./dag.ts";
