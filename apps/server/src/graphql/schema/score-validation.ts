import type { ScoreValidationResult } from "../../contracts/commands.ts";
import { builder } from "../builder.ts";
import { ScoreProblemRef } from "./score-problem.ts";

export const ScoreValidationRef = builder
  .objectRef<ScoreValidationResult>("ScoreValidation")
  .implement({
    description: "The outcome of checking a score without running it.",
    fields: (t) => ({
      valid: t.exposeBoolean("valid"),
      problems: t.field({ type: [ScoreProblemRef], resolve: (result) => result.problems }),
      warnings: t.exposeStringList("warnings", {
        description: "Keys Podium accepts but does not act on, and similar notes.",
      }),
      sheetCount: t.int({
        nullable: true,
        description: "How many sheets the score expands to (null when it is invalid).",
        resolve: (result) => result.sheetCount,
      }),
    }),
  });
