import type { ExampleScore } from "../context.ts";
import { builder } from "../builder.ts";

export const ExampleScoreRef = builder.objectRef<ExampleScore>("ExampleScore").implement({
  description: "A score shipped in examples/ that runs offline with the `cli` instrument.",
  fields: (t) => ({
    name: t.exposeString("name"),
    fileName: t.exposeString("fileName"),
    text: t.exposeString("text", { description: "The YAML, ready to submit." }),
  }),
});
