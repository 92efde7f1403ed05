/**
 * Where the score editor shows a validation problem: on the line the server names, or on the
 * first line when the problem has no line (or one the text no longer has).
 */
import { describe, expect, it } from "vitest";
import {
  problemsToDiagnostics,
  type ScoreProblem,
} from "../../../apps/web/components/new/score-diagnostics.ts";
import { Text } from "./support/codemirror.ts";

const SCORE = ["name: demo", "sheets:", "  - prompt: hello", "", "    instrument: nope"];
const doc = Text.of(SCORE);

function problem(
  line: number | null,
  path = "sheets[0].instrument",
  message = "unknown",
): ScoreProblem {
  return { path, message, line };
}

/** The text a diagnostic covers. */
function covered(from: number, to: number): string {
  return doc.sliceString(from, to);
}

describe("problemsToDiagnostics", () => {
  it("covers exactly the line a problem names", () => {
    for (const [index, text] of SCORE.entries()) {
      const [diagnostic] = problemsToDiagnostics(doc, [problem(index + 1)]);
      expect(diagnostic).toBeDefined();
      expect(covered(diagnostic!.from, diagnostic!.to)).toBe(text);
      expect(diagnostic!.from).toBe(doc.line(index + 1).from);
    }
  });

  it("pins a problem without a line to the start of the document", () => {
    const [diagnostic] = problemsToDiagnostics(doc, [problem(null, "", "score is empty")]);
    expect(diagnostic!.from).toBe(0);
    expect(covered(diagnostic!.from, diagnostic!.to)).toBe(SCORE[0]);
  });

  it("pins a problem whose line is outside the text to the start of the document", () => {
    for (const line of [0, -3, SCORE.length + 1, 1_000]) {
      const [diagnostic] = problemsToDiagnostics(doc, [problem(line)]);
      expect(diagnostic!.from, `line ${line}`).toBe(0);
      expect(covered(diagnostic!.from, diagnostic!.to)).toBe(SCORE[0]);
    }
  });

  it("gives an empty line an empty range at its start", () => {
    const [diagnostic] = problemsToDiagnostics(doc, [problem(4)]);
    expect(diagnostic!.from).toBe(doc.line(4).from);
    expect(diagnostic!.to).toBe(diagnostic!.from);
  });

  it("marks every problem as an error and names its path", () => {
    const diagnostics = problemsToDiagnostics(doc, [
      problem(5, "sheets[0].instrument", "no instrument named nope"),
      problem(null, "", "not a mapping"),
    ]);
    expect(diagnostics.map((d) => [d.severity, d.message])).toEqual([
      ["error", "sheets[0].instrument: no instrument named nope"],
      ["error", "not a mapping"],
    ]);
  });

  it("keeps one diagnostic per problem, in order, even on the same line", () => {
    const diagnostics = problemsToDiagnostics(doc, [
      problem(3, "a"),
      problem(3, "b"),
      problem(1, "c"),
    ]);
    expect(diagnostics.map((d) => d.message)).toEqual(["a: unknown", "b: unknown", "c: unknown"]);
    expect(diagnostics.map((d) => d.from)).toEqual([doc.line(3).from, doc.line(3).from, 0]);
  });

  it("works on an empty document", () => {
    const empty = Text.of([""]);
    const [diagnostic] = problemsToDiagnostics(empty, [problem(3)]);
    expect([diagnostic!.from, diagnostic!.to]).toEqual([0, 0]);
    expect(problemsToDiagnostics(empty, [])).toEqual([]);
  });
});
