import type { ScoreProblem } from "../../score/types.ts";
import { builder } from "../builder.ts";
import { ScoreProblemRef } from "./score-problem.ts";

export interface ScoreInvalidShape {
  kind: "invalid";
  message: string;
  problems: ScoreProblem[];
}

export const ScoreInvalidRef = builder.objectRef<ScoreInvalidShape>("ScoreInvalid").implement({
  description:
    "The score was rejected: it does not parse, breaks a rule, or is larger than the size limit. Nothing was started.",
  fields: (t) => ({
    message: t.exposeString("message"),
    problems: t.field({ type: [ScoreProblemRef], resolve: (invalid) => invalid.problems }),
  }),
});
