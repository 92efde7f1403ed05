import { describe, expect, it } from "vitest";
import { estimateCost, findModel } from "../../../apps/server/src/instruments/cost.ts";
import { loadInstrumentProfiles } from "../../../apps/server/src/instruments/loader.ts";

const { profiles } = loadInstrumentProfiles({ userDirs: [] });
const openai = profiles.get("openai-compatible")!;

describe("cost from the profile's prices", () => {
  it("multiplies tokens by the model's price per 1k", () => {
    expect(estimateCost(openai, ["gpt-4o"], 10_000, 2_000)).toEqual({
      costUsd: 0.045,
      costUncertain: false,
    });
  });

  it("prices a dated model id as its listed family, preferring the longest match", () => {
    expect(findModel(openai, "gpt-4.1-mini-2025-04-14")!.name).toBe("gpt-4.1-mini");
    expect(findModel(openai, "gpt-4o-2024-08-06")!.name).toBe("gpt-4o");
  });

  it("falls back to the profile's default model when none is named", () => {
    expect(estimateCost(openai, [null, null], 1000, 1000).costUsd).toBeCloseTo(0.00075, 10);
  });

  it("is zero and uncertain for an unpriced model, zero and certain without tokens", () => {
    const claude = profiles.get("claude-code")!;
    expect(estimateCost(claude, ["some-future-model"], 100, 100)).toEqual({
      costUsd: 0,
      costUncertain: true,
    });
    expect(estimateCost(claude, ["some-future-model"], null, null)).toEqual({
      costUsd: 0,
      costUncertain: false,
    });
    expect(estimateCost(profiles.get("cli")!, [null], 0, 0)).toEqual({
      costUsd: 0,
      costUncertain: false,
    });
  });
});
