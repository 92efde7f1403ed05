/**
 * `parseScore`: YAML text -> the score's plan (validated config, planned sheets and DAG, template
 * text, the keys the author wrote, a hash of the config), or every problem found. Everything
 * after submission reads this one value; nothing parses the YAML again.
 */
import { createHash } from "node:crypto";
import type { ScoreConfig } from "./config.ts";
import type { Located } from "./problems.ts";
import { checkInstrumentNames, KNOWN_INSTRUMENTS } from "./instruments.ts";
import { placeProblems, problemsFromIssues, summarizeProblems } from "./problems.ts";
import { scoreSchema } from "./schema/score.ts";
import { planSheets } from "./sheets.ts";
import { resolvePromptTemplate, templateSyntaxProblem } from "./template.ts";
import type { ScoreProblem, SheetPlan } from "./types.ts";
import { collectWarnings } from "./warnings.ts";
import { readYaml } from "./yaml.ts";

export interface ParseScoreOptions {
  /** Directory of the score file: `prompt.template_file` is read relative to it. */
  baseDir?: string;
  /** Instrument profile names known besides the built-ins (user profiles). */
  knownInstruments?: Iterable<string>;
  /** When set, `prompt.template_file` is read only from under these directories. */
  allowedRoots?: readonly string[];
  /**
   * Why an instrument cannot be played on this machine (no profile, executable not on PATH),
   * or null when it can. Each instrument a sheet may play (fallbacks too) that cannot is a warning.
   */
  instrumentUnusable?: (instrument: string) => string | null;
}

export interface ScorePlan {
  ok: true;
  config: ScoreConfig;
  /** The planned sheets; their `dependsOn` lists are the resolved DAG. */
  sheets: SheetPlan[];
  warnings: string[];
  totalMovements: number;
  /**
   * The prompt template's text (inline, or read from `template_file`), null when the score has
   * none; absent when `template_file` is set but no `baseDir` was given to read it from.
   */
  template?: string | null;
  /** The top-level keys the score spells out (a default is not the same as a choice). */
  explicitKeys: ReadonlySet<string>;
  /** SHA-256 of the validated config: equal hashes mean the same score. */
  hash: string;
}

export type ScoreParseResult = ScorePlan | { ok: false; message: string; problems: ScoreProblem[] };

let cachedDefaults: ScoreConfig | undefined;
/** The config every optional key defaults to; warnings compare against it. */
function defaultConfig(): ScoreConfig {
  cachedDefaults ??= scoreSchema.parse({
    name: "",
    sheet: { size: 1, total_items: 1 },
    prompt: {},
  });
  return cachedDefaults;
}

/** Longest problem or warning message kept; a message quoting a huge value is cut. */
export const MAX_MESSAGE_CHARS = 1_000;

function capped(message: string): string {
  return message.length > MAX_MESSAGE_CHARS
    ? `${message.slice(0, MAX_MESSAGE_CHARS)}… (${message.length - MAX_MESSAGE_CHARS} more characters)`
    : message;
}

/** Problems in document order, so the summary names the first one a reader meets. */
function invalid(problems: ScoreProblem[]): ScoreParseResult {
  const ordered = [...problems]
    .sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER))
    .map((problem) => ({ ...problem, message: capped(problem.message) }));
  return { ok: false, message: summarizeProblems(ordered), problems: ordered };
}

function describeRoot(value: unknown): string {
  if (value === null || value === undefined) return "an empty document";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Date) return "a date";
  return `a ${typeof value}`;
}

/** The template text, read once, and what is wrong with it. */
function readTemplate(
  config: ScoreConfig,
  options: ParseScoreOptions,
): { template?: string | null; problems: Located[] } {
  const baseDir = options.baseDir;
  if (config.prompt.template !== null) {
    const problem = templateSyntaxProblem(config.prompt.template, "prompt.template");
    return { template: config.prompt.template, problems: problem ? [problem] : [] };
  }
  if (config.prompt.template_file === null) return { template: null, problems: [] };
  if (baseDir === undefined) return { problems: [] };
  const resolved = resolvePromptTemplate(config, baseDir, options.allowedRoots);
  if ("problem" in resolved) return { problems: [resolved.problem] };
  const problem =
    resolved.template === null
      ? null
      : templateSyntaxProblem(resolved.template, "prompt.template_file");
  return { template: resolved.template, problems: problem ? [problem] : [] };
}

export function parseScore(text: string, options: ParseScoreOptions = {}): ScoreParseResult {
  const read = readYaml(text);
  if (!read.ok) return invalid(read.problems);
  const raw = read.value;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw) || raw instanceof Date) {
    return invalid([
      {
        path: "",
        message: `the score must be a mapping of keys (name, sheet, prompt, ...), got ${describeRoot(raw)}`,
        line: 1,
      },
    ]);
  }

  const parsed = scoreSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success)
    return invalid(problemsFromIssues(parsed.error.issues, raw, read.lines, scoreSchema));
  const config = parsed.data;

  const known = new Set([...KNOWN_INSTRUMENTS, ...(options.knownInstruments ?? [])]);
  const template = readTemplate(config, options);
  const found: Located[] = [...checkInstrumentNames(config, known), ...template.problems];
  const plan = planSheets(config);
  if (!plan.ok) found.push(...plan.problems);
  if (found.length > 0 || !plan.ok) return invalid(placeProblems(found, read.lines));

  const result: ScorePlan = {
    ok: true,
    config,
    sheets: plan.sheets,
    warnings: [
      ...collectWarnings(config, defaultConfig(), raw as Record<string, unknown>, {
        sheetCount: plan.sheets.length,
        movementCount: plan.totalMovements,
      }),
      ...unusableInstrumentWarnings(plan.sheets, options.instrumentUnusable),
    ].map(capped),
    totalMovements: plan.totalMovements,
    explicitKeys: new Set(Object.keys(raw)),
    hash: createHash("sha256").update(JSON.stringify(config)).digest("hex"),
  };
  if (template.template !== undefined) result.template = template.template;
  return result;
}

function unusableInstrumentWarnings(
  sheets: readonly SheetPlan[],
  unusable: ((instrument: string) => string | null) | undefined,
): string[] {
  if (unusable === undefined) return [];
  const sheetsByInstrument = new Map<string, number[]>();
  for (const sheet of sheets) {
    for (const name of [sheet.instrument, ...sheet.instrumentFallbacks]) {
      const nums = sheetsByInstrument.get(name) ?? [];
      if (!nums.includes(sheet.num)) nums.push(sheet.num);
      sheetsByInstrument.set(name, nums);
    }
  }
  const warnings: string[] = [];
  for (const [name, nums] of sheetsByInstrument) {
    const reason = unusable(name);
    if (reason === null) continue;
    const where = nums.length === 1 ? `sheet ${nums[0]}` : `sheets ${nums.join(", ")}`;
    warnings.push(
      `instrument '${name}' (${where}) is not usable here: ${reason}; such a sheet moves to its next fallback instrument, or fails, without spending retries`,
    );
  }
  return warnings;
}
