import { describeRealAgent } from "./agent-cases.ts";

describeRealAgent("codex-cli", { reported: false, model: "gpt-5-codex" });
