/** `cross_sheet` (§11), `ai_review` (§22), `logging` (§23), `workspace_lifecycle` (§24),
 *  `isolation` (§25), `feedback` (§27). */
import { z } from "zod";
import { pythonRegexProblem } from "../regex.ts";
import { bool, int, list, oneOf, str } from "./primitives.ts";

export const crossSheetSchema = z.strictObject({
  auto_capture_stdout: bool().default(false),
  max_output_chars: int({ gt: 0 }).default(2000),
  capture_files: list(str()).default(() => []),
  lookback_sheets: int({ gte: 0 }).default(3),
});

export const aiReviewSchema = z
  .strictObject({
    enabled: bool().default(false),
    min_score: int({ gte: 0, lte: 100 }).default(60),
    target_score: int({ gte: 0, lte: 100 }).default(80),
    on_low_score: oneOf(["retry", "warn", "fail"]).default("warn"),
    max_retry_for_review: int({ gte: 0, lte: 5 }).default(2),
    review_prompt_template: str().nullable().default(null),
  })
  .superRefine((review, ctx) => {
    if (review.min_score > review.target_score) {
      ctx.addIssue({
        code: "custom",
        message: "min_score must be ≤ target_score",
        path: ["min_score"],
      });
    }
  });

export const loggingSchema = z
  .strictObject({
    level: oneOf(["DEBUG", "INFO", "WARNING", "ERROR"]).default("INFO"),
    format: oneOf(["json", "console", "both"]).default("console"),
    file_path: str().nullable().default(null),
    max_file_size_mb: int({ gt: 0, lte: 1000 }).default(50),
    backup_count: int({ gte: 0, lte: 100 }).default(5),
    include_timestamps: bool().default(true),
    include_context: bool().default(true),
  })
  .superRefine((logging, ctx) => {
    if (logging.format === "both" && logging.file_path === null) {
      ctx.addIssue({
        code: "custom",
        message: "format: both needs file_path",
        path: ["file_path"],
      });
    }
  });

export const workspaceLifecycleSchema = z.strictObject({
  archive_on_fresh: bool().default(false),
  archive_dir: str().default("archive"),
  archive_naming: oneOf(["iteration", "timestamp"]).default("iteration"),
  max_archives: int({ gte: 0 }).default(0),
  preserve_patterns: list(str().min(1, { error: "must not be empty" })).default(() => [
    ".iteration",
    ".marianne-*",
    ".coverage",
    "archive/**",
    ".worktrees/**",
  ]),
});

export const isolationSchema = z.strictObject({
  enabled: bool().default(false),
  mode: oneOf(["none", "worktree"]).default("worktree"),
  worktree_base: str().nullable().default(null),
  branch_prefix: str()
    .regex(/^[a-zA-Z][a-zA-Z0-9_-]*$/, {
      error: "must start with a letter and hold only letters, digits, _ and -",
    })
    .default("marianne"),
  source_branch: str().nullable().default(null),
  cleanup_on_success: bool().default(true),
  cleanup_on_failure: bool().default(false),
  lock_during_execution: bool().default(true),
  fallback_on_error: bool().default(true),
});

export const feedbackSchema = z.strictObject({
  enabled: bool().default(false),
  pattern: str()
    .default("(?s)FEEDBACK_START(.+?)FEEDBACK_END")
    .superRefine((pattern, ctx) => {
      const problem = pythonRegexProblem(pattern);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  format: oneOf(["json", "yaml", "text"]).default("json"),
});
