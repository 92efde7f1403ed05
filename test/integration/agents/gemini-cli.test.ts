import { describeRealAgent } from "./agent-cases.ts";

describeRealAgent("gemini-cli", { reported: false, model: "gemini-2.5-pro" });
