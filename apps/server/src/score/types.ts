/** The score module's output types live with the other contracts (contracts/plan.ts). */
export type { ScoreProblem, SheetPlan, SkipWhenCommand } from "../contracts/plan.ts";
