/**
 * The request and response shapes of the HTTP model APIs Podium speaks (SCORE-SCHEMA.md §35.5,
 * `http.schema_family`): OpenAI chat completions, Anthropic Messages and Gemini generateContent.
 * One user message goes out; the answer text, token counts, model and error message come back.
 */
import type { HttpProfile } from "./profile-schema.ts";

export type SchemaFamily = HttpProfile["schema_family"];

export interface FamilyRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface FamilyAnswer {
  text: string;
  inputTokens: number | null;
  outputTokens: number | null;
  model: string | null;
}

export interface RequestInputs {
  baseUrl: string;
  endpoint: string;
  model: string;
  prompt: string;
  apiKey: string | null;
  maxOutputTokens: number | null;
}

/** Endpoints written for another family's default are replaced by this family's own. */
const DEFAULT_ENDPOINTS: Record<SchemaFamily, string> = {
  openai: "/v1/chat/completions",
  anthropic: "/v1/messages",
  gemini: "/v1beta/models/{model}:generateContent",
};

const ANTHROPIC_VERSION = "2023-06-01";
const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

function endpointFor(family: SchemaFamily, endpoint: string, model: string): string {
  const chosen =
    family !== "openai" && endpoint === DEFAULT_ENDPOINTS.openai
      ? DEFAULT_ENDPOINTS[family]
      : endpoint;
  return chosen.replace("{model}", encodeURIComponent(model));
}

export function buildFamilyRequest(family: SchemaFamily, inputs: RequestInputs): FamilyRequest {
  const url =
    inputs.baseUrl.replace(/\/+$/, "") + endpointFor(family, inputs.endpoint, inputs.model);
  const headers: Record<string, string> = { "content-type": "application/json" };
  switch (family) {
    case "openai":
      if (inputs.apiKey !== null) headers.authorization = `Bearer ${inputs.apiKey}`;
      return {
        url,
        headers,
        body: { model: inputs.model, messages: [{ role: "user", content: inputs.prompt }] },
      };
    case "anthropic":
      if (inputs.apiKey !== null) headers["x-api-key"] = inputs.apiKey;
      headers["anthropic-version"] = ANTHROPIC_VERSION;
      return {
        url,
        headers,
        body: {
          model: inputs.model,
          max_tokens: inputs.maxOutputTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
          messages: [{ role: "user", content: inputs.prompt }],
        },
      };
    case "gemini":
      if (inputs.apiKey !== null) headers["x-goog-api-key"] = inputs.apiKey;
      return {
        url,
        headers,
        body: { contents: [{ role: "user", parts: [{ text: inputs.prompt }] }] },
      };
  }
}

type Json = Record<string, unknown>;

const asRecord = (value: unknown): Json | null =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : null;
const asNumber = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;
const asString = (value: unknown): string | null => (typeof value === "string" ? value : null);

/** The answer in a successful response, or null when the body is not one. */
export function parseFamilyAnswer(family: SchemaFamily, body: unknown): FamilyAnswer | null {
  const root = asRecord(body);
  if (root === null) return null;
  switch (family) {
    case "openai": {
      const choices = Array.isArray(root.choices) ? root.choices : [];
      const content = asString(asRecord(asRecord(choices[0])?.message)?.content);
      if (content === null) return null;
      const usage = asRecord(root.usage);
      return {
        text: content,
        inputTokens: asNumber(usage?.prompt_tokens),
        outputTokens: asNumber(usage?.completion_tokens),
        model: asString(root.model),
      };
    }
    case "anthropic": {
      if (!Array.isArray(root.content)) return null;
      const text = root.content
        .map((block) => asRecord(block))
        .filter((block) => block?.type === "text")
        .map((block) => asString(block?.text) ?? "")
        .join("");
      const usage = asRecord(root.usage);
      return {
        text,
        inputTokens: asNumber(usage?.input_tokens),
        outputTokens: asNumber(usage?.output_tokens),
        model: asString(root.model),
      };
    }
    case "gemini": {
      const candidates = Array.isArray(root.candidates) ? root.candidates : [];
      const parts = asRecord(asRecord(candidates[0])?.content)?.parts;
      if (!Array.isArray(parts)) return null;
      const text = parts.map((part) => asString(asRecord(part)?.text) ?? "").join("");
      const usage = asRecord(root.usageMetadata);
      return {
        text,
        inputTokens: asNumber(usage?.promptTokenCount),
        outputTokens: asNumber(usage?.candidatesTokenCount),
        model: asString(root.modelVersion),
      };
    }
  }
}

/** The provider's own error message in a failed response (all three use `error.message`). */
export function familyErrorMessage(body: unknown): string | null {
  return asString(asRecord(asRecord(body)?.error)?.message);
}
