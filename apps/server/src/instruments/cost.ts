/**
 * Cost of an attempt from its token counts and the profile's per-model prices. A price is
 * never guessed: an unknown model gives cost 0 and `costUncertain` when tokens were used.
 */
import type { InstrumentProfile, ModelProfile } from "./profile-schema.ts";

export interface CostEstimate {
  costUsd: number;
  costUncertain: boolean;
}

/** Exact name first, then a dated variant of a listed model (`gpt-4o-mini-2024-07-18`). */
export function findModel(
  profile: InstrumentProfile,
  name: string | null,
): ModelProfile | undefined {
  if (name === null) return undefined;
  const exact = profile.models.find((model) => model.name === name);
  if (exact) return exact;
  return profile.models
    .filter((model) => name.startsWith(`${model.name}-`))
    .sort((a, b) => b.name.length - a.name.length)[0];
}

export function estimateCost(
  profile: InstrumentProfile,
  candidateModels: ReadonlyArray<string | null>,
  inputTokens: number | null,
  outputTokens: number | null,
): CostEstimate {
  const input = inputTokens ?? 0;
  const output = outputTokens ?? 0;
  if (input === 0 && output === 0) return { costUsd: 0, costUncertain: false };
  for (const name of [...candidateModels, profile.default_model]) {
    const model = findModel(profile, name);
    if (model) {
      const cost =
        (input / 1000) * model.cost_per_1k_input + (output / 1000) * model.cost_per_1k_output;
      return { costUsd: Math.round(cost * 1e8) / 1e8, costUncertain: false };
    }
  }
  return { costUsd: 0, costUncertain: true };
}
