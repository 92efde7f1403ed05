import type { ScoreProblem } from "../../score/types.ts";
import { builder } from "../builder.ts";

export const ScoreProblemRef = builder.objectRef<ScoreProblem>("ScoreProblem").implement({
  description: "One thing wrong with a score: where (key path and line) and what.",
  fields: (t) => ({
    path: t.exposeString("path", {
      description: 'Dotted key path such as "sheet.dependencies.3"; "" for the whole document.',
    }),
    message: t.exposeString("message"),
    line: t.int({
      nullable: true,
      description: "1-based line in the YAML text, when the problem can be placed.",
      resolve: (problem) => problem.line ?? null,
    }),
  }),
});
