import type { ValidationDetail } from "../../store/read-model.ts";
import { builder } from "../builder.ts";

export const ValidationDetailRef = builder
  .objectRef<ValidationDetail>("ValidationDetail")
  .implement({
    description: "The result of one of the score's validations for one attempt.",
    fields: (t) => ({
      index: t.exposeInt("index", {
        description: "Index of the rule in the score's `validations`.",
      }),
      type: t.exposeString("type"),
      description: t.exposeString("description", { nullable: true }),
      passed: t.exposeBoolean("passed"),
      message: t.exposeString("message", { nullable: true }),
    }),
  });
