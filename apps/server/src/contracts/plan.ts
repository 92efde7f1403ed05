/**
 * What the score module hands to the rest of Podium: one planned sheet per step, with its
 * instrument chain and dependencies already resolved (DESIGN.md §4, SCORE-SCHEMA.md §32).
 * The validated configuration itself (`ScoreConfig`) is defined next to its schema in score/.
 */

export interface ScoreProblem {
  /** Dotted key path, e.g. `sheet.dependencies.3` or `validations.0.type`; `""` for the document. */
  path: string;
  message: string;
  /** 1-based line in the YAML text, when the problem can be placed. */
  line?: number;
}

export interface SkipWhenCommand {
  command: string;
  description: string | null;
  timeoutSeconds: number;
}

export interface SheetPlan {
  /** 1-based sheet number, after fan-out expansion. */
  num: number;
  /** 1-based movement (stage) the sheet belongs to. */
  movement: number;
  /** 1-based voice within a fanned-out movement; null when the movement has one voice. */
  voice: number | null;
  voiceCount: number;
  startItem: number;
  endItem: number;
  description: string | null;
  /** Resolved instrument profile name (aliases already resolved). */
  instrument: string;
  /** Fallback instrument names, tried in order after `instrument`. */
  instrumentFallbacks: string[];
  model: string | null;
  timeoutSeconds: number;
  /** Merged instrument_config for this sheet (score < movement < per-sheet). */
  instrumentConfig: Record<string, unknown>;
  /** Sheet numbers this sheet waits for, ascending. */
  dependsOn: number[];
  skipWhenCommand: SkipWhenCommand | null;
}
