import type { FermataDecision } from "../../contracts/commands.ts";
import { builder } from "../builder.ts";

export const FermataDecisionEnum = builder.enumType("FermataDecision", {
  description: "What to do with a sheet held at a fermata.",
  values: {
    RETRY: {
      value: "retry" as FermataDecision,
      description: "Run the sheet again with a fresh budget.",
    },
    SKIP: {
      value: "skip" as FermataDecision,
      description: "Skip the sheet; its dependants still run.",
    },
    ACCEPT: {
      value: "accept" as FermataDecision,
      description: "Accept the last attempt as completed.",
    },
    FAIL: {
      value: "fail" as FermataDecision,
      description: "Fail the sheet; its dependants are skipped.",
    },
  },
});
