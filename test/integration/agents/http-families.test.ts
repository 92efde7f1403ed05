/**
 * The Anthropic Messages and Gemini generateContent HTTP families against the local stand-in:
 * an answer with tokens and cost, a 429 whose retry-after becomes the wait, a 401 that is an
 * auth failure. The Anthropic case uses the built-in `anthropic_api` profile as shipped, with
 * only its base URL pointed at the stand-in.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadInstrumentProfiles } from "../../../apps/server/src/instruments/loader.ts";
import { BackendPool } from "../../../apps/server/src/instruments/pool.ts";
import type { InstrumentProfile } from "../../../apps/server/src/instruments/profile-schema.ts";
import { createMusician } from "../../../apps/server/src/musician/musician.ts";
import { ModelApiStandIn } from "../../support/model-api-standin.ts";
import { attemptRequest, profileMap, signalNotAborted, tempDir } from "../execution/helpers.ts";
import { prompt } from "./harness.ts";

const standIn = new ModelApiStandIn({ everyRequest: true });
let pool: BackendPool;

function geminiProfile(baseUrl: string): InstrumentProfile {
  const { profiles } = loadInstrumentProfiles({ userDirs: [] });
  const profile = structuredClone(profiles.get("anthropic_api")!);
  return {
    ...profile,
    name: "gemini-http",
    display_name: "Gemini over HTTP",
    default_model: "gemini-2.5-flash",
    models: [
      {
        name: "gemini-2.5-flash",
        context_window: 1_000_000,
        cost_per_1k_input: 0.0003,
        cost_per_1k_output: 0.0025,
        max_output_tokens: 65536,
        max_concurrent: 4,
      },
    ],
    http: {
      base_url: baseUrl,
      endpoint: "/v1beta/models/{model}:generateContent",
      schema_family: "gemini",
      auth_env_var: "GEMINI_API_KEY",
    },
  };
}

beforeAll(async () => {
  await standIn.start();
  const { profiles } = loadInstrumentProfiles({ userDirs: [] });
  const anthropic = structuredClone(profiles.get("anthropic_api")!);
  anthropic.http!.base_url = standIn.url;
  pool = new BackendPool({
    profiles: profileMap(anthropic, geminiProfile(standIn.url)),
    env: { ANTHROPIC_API_KEY: "sk-ant-standin", GEMINI_API_KEY: "gemini-standin" },
  });
});

afterAll(async () => {
  await pool?.close();
  await standIn.close();
});

function play(instrument: string) {
  return createMusician({ pool }).play(
    attemptRequest({ workspace: tempDir(), instrument, prompt: prompt("Say the answer") }),
    { signal: signalNotAborted() },
  );
}

const CASES = [
  {
    instrument: "anthropic_api",
    family: "anthropic",
    key: "sk-ant-standin",
    header: "x-api-key",
    usd: 0.0141,
  },
  {
    instrument: "gemini-http",
    family: "gemini",
    key: "gemini-standin",
    header: "x-goog-api-key",
    usd: 0.00195,
  },
] as const;

describe.each(CASES)("the $family HTTP family", ({ instrument, family, key, header, usd }) => {
  it("answers with tokens, the model and a priced cost; the key goes in the family's header", async () => {
    standIn.enqueue({ kind: "text", text: "forty-two", inputTokens: 2000, outputTokens: 540 });
    const result = await play(instrument);
    expect(result.errorMessage).toBeNull();
    expect(result).toMatchObject({
      executionSuccess: true,
      inputTokens: 2000,
      outputTokens: 540,
      costUncertain: false,
    });
    expect(result.stdoutTail).toBe("forty-two");
    expect(result.costUsd).toBeCloseTo(usd, 8);
    const last = standIn.requests[standIn.requests.length - 1]!;
    expect(last.family).toBe(family);
    expect(JSON.stringify(last.body)).toContain("Say the answer");
    expect(JSON.stringify(last.body)).not.toContain(key);
    expect(last.headers[header]).toBe(key);
  });

  it("a 429 with retry-after is a rate limit that waits what the provider asked", async () => {
    standIn.enqueue({ kind: "status", status: 429, retryAfterSeconds: 20 });
    const result = await play(instrument);
    expect(result).toMatchObject({
      executionSuccess: false,
      errorClass: "RATE_LIMIT",
      rateLimited: true,
      rateLimitWaitSeconds: 20,
    });
  });

  it("a 401 is an auth failure", async () => {
    standIn.enqueue({ kind: "status", status: 401 });
    const result = await play(instrument);
    expect(result).toMatchObject({ executionSuccess: false, errorClass: "AUTH_FAILURE" });
    expect(result.errorMessage).toContain("HTTP 401");
  });
});
