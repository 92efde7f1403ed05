import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import {
  parseScore,
  type ParseScoreOptions,
  type ScoreParseResult,
} from "../../../apps/server/src/score/index.ts";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
/** The shared folder sits beside the checkout; PODIUM_SHARED_DIR points elsewhere (a worktree). */
const sharedDir = process.env.PODIUM_SHARED_DIR ?? path.resolve(repoRoot, "../shared");
export const upstreamScoresDir = path.resolve(sharedDir, "upstream/scores");
export const upstreamPresent = fs.existsSync(upstreamScoresDir);
export const examplesDir = path.resolve(repoRoot, "examples");

export function warnIfUpstreamMissing(what: string): void {
  if (!upstreamPresent) {
    console.warn(`${what} did not run: the upstream scores are not at ${upstreamScoresDir}`);
  }
}

export function readUpstream(file: string): string {
  return fs.readFileSync(path.join(upstreamScoresDir, file), "utf8");
}

export type ParsedScore = Extract<ScoreParseResult, { ok: true }>;

/** Parses and fails the test with the problems listed when the score is not valid. */
export function parseValid(text: string, options?: ParseScoreOptions): ParsedScore {
  const result = parseScore(text, options);
  if (!result.ok)
    expect.fail(
      `expected a valid score, got:\n${result.problems.map((p) => JSON.stringify(p)).join("\n")}`,
    );
  return result;
}

export function parseInvalid(text: string, options?: ParseScoreOptions) {
  const result = parseScore(text, options);
  if (result.ok) expect.fail("expected the score to be rejected");
  return result;
}

/** A small valid score with `extra` YAML appended at the root. */
export function score(sheetYaml: string, extra = ""): string {
  return `name: test\nsheet:\n${sheetYaml.replace(/^/gm, "  ")}\nprompt:\n  template: "go"\n${extra}`;
}

/** `num:movement[vVoice]<-[deps]`, one entry per sheet: compact enough to compare whole DAGs. */
export function dagOf(result: ParsedScore): string[] {
  return result.sheets.map(
    (sheet) =>
      `${sheet.num}:${sheet.movement}${sheet.voice === null ? "" : `v${sheet.voice}`}<-[${sheet.dependsOn.join(",")}]`,
  );
}
