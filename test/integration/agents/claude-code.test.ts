import { describeRealAgent } from "./agent-cases.ts";

describeRealAgent("claude-code", { reported: true, model: "claude-opus" });
