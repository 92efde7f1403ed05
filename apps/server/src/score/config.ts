/**
 * The validated, defaulted score configuration. Keys keep the YAML's snake_case spelling;
 * integer-keyed maps (`sheet.dependencies`, `movements`, ...) have their keys normalised to
 * decimal strings, so `config.movements[2]` works.
 */
import type { z } from "zod";
import type { scoreSchema } from "./schema/score.ts";

export type ScoreConfig = z.output<typeof scoreSchema>;
export type SheetConfig = ScoreConfig["sheet"];
export type PromptConfig = ScoreConfig["prompt"];
export type ValidationRule = ScoreConfig["validations"][number];
export type RetryConfig = ScoreConfig["retry"];
export type RateLimitConfig = ScoreConfig["rate_limit"];
export type CircuitBreakerConfig = ScoreConfig["circuit_breaker"];
export type CostLimitsConfig = ScoreConfig["cost_limits"];
export type ParallelConfig = ScoreConfig["parallel"];
export type StaleDetectionConfig = ScoreConfig["stale_detection"];
export type CrossSheetConfig = NonNullable<ScoreConfig["cross_sheet"]>;
export type OnSuccessHook = ScoreConfig["on_success"][number];
export type ConcertConfig = ScoreConfig["concert"];
export type MovementConfig = ScoreConfig["movements"][string];
export type InstrumentAlias = ScoreConfig["instruments"][string];
