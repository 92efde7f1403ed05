/**
 * Model APIs over HTTP (SCORE-SCHEMA.md §35.5): OpenAI chat completions, Anthropic Messages or
 * Gemini generateContent, as the profile's `schema_family` says (shapes in http-families.ts).
 * One user message goes out; the answer and usage tokens come back. Failures are classified
 * like CLI failures so the baton's ladder treats both alike.
 */
import type { ErrorClass } from "../contracts/attempt.ts";
import type { Clock } from "../contracts/clock.ts";
import {
  failedRun,
  type BackendRunRequest,
  type BackendRunResult,
  type InstrumentBackend,
} from "./backend.ts";
import { findModel } from "./cost.ts";
import { buildFamilyRequest, familyErrorMessage, parseFamilyAnswer } from "./http-families.ts";
import type { HttpProfile, InstrumentProfile } from "./profile-schema.ts";
import { parseRateLimitWait } from "./rate-limit-wait.ts";
import { tailOf } from "./process-group.ts";

export interface HttpBackendOptions {
  env: NodeJS.ProcessEnv;
  clock: Clock;
}

/**
 * `Retry-After` is seconds or an HTTP date, else a wait named in the body; null when the provider
 * states none (the engine then waits the score's `rate_limit.wait_minutes`).
 */
export function retryAfterSeconds(
  header: string | null,
  body: string,
  nowMs: number,
): number | null {
  if (header !== null) {
    const trimmed = header.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.max(1, Math.ceil(Number(trimmed)));
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) return Math.max(1, Math.ceil((date - nowMs) / 1000));
  }
  return parseRateLimitWait(body, nowMs);
}

function classifyStatus(status: number): ErrorClass {
  if (status === 401 || status === 403) return "AUTH_FAILURE";
  if (status === 429) return "RATE_LIMIT";
  if (status === 502 || status === 503 || status === 504 || status === 529) return "CAPACITY";
  if (status >= 500) return "CRASH";
  return "EXECUTION_ERROR";
}

/** fetch wraps the socket error in `cause`; its code tells refused from reset from dropped. */
function classifyNetworkError(error: unknown): { errorClass: ErrorClass; message: string } {
  type SocketError = { code?: string; message?: string; errors?: SocketError[] };
  const cause = (error as { cause?: SocketError }).cause;
  // Dual-stack connects fail with an AggregateError whose parts carry the code.
  const code =
    cause?.code ?? cause?.errors?.[0]?.code ?? (error as NodeJS.ErrnoException).code ?? "";
  const detail = cause?.message ?? (error as Error).message;
  switch (code) {
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EHOSTUNREACH":
      return { errorClass: "CAPACITY", message: `cannot reach the server (${code}): ${detail}` };
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
    case "EPIPE":
      return { errorClass: "CRASH", message: `the connection was dropped (${code}): ${detail}` };
    default:
      return {
        errorClass: "EXECUTION_ERROR",
        message: `request failed${code ? ` (${code})` : ""}: ${detail}`,
      };
  }
}

const EXPECTED_ANSWER: Record<HttpProfile["schema_family"], string> = {
  openai: "no choices[0].message.content",
  anthropic: "no content blocks",
  gemini: "no candidates[0].content.parts",
};

export class HttpBackend implements InstrumentBackend {
  private readonly http: HttpProfile;
  private readonly inFlight = new Set<AbortController>();

  constructor(
    readonly profile: InstrumentProfile,
    private readonly options: HttpBackendOptions,
  ) {
    if (profile.http === null) throw new Error(`instrument '${profile.name}' has no http section`);
    this.http = profile.http;
  }

  async run(request: BackendRunRequest): Promise<BackendRunResult> {
    const model = request.model ?? this.profile.default_model;
    if (model === null)
      return failedRun("EXECUTION_ERROR", `instrument '${this.profile.name}' needs a model`);
    let apiKey: string | null = null;
    if (this.http.auth_env_var !== null) {
      apiKey = this.options.env[this.http.auth_env_var] || null;
      if (apiKey === null) {
        return failedRun(
          "AUTH_FAILURE",
          `environment variable ${this.http.auth_env_var} is not set`,
          { modelUsed: model },
        );
      }
    }
    const outgoing = buildFamilyRequest(this.http.schema_family, {
      baseUrl: this.http.base_url,
      endpoint: this.http.endpoint,
      model,
      prompt: request.prompt,
      apiKey,
      maxOutputTokens: findModel(this.profile, model)?.max_output_tokens ?? null,
    });
    const controller = new AbortController();
    let ending: "timeout" | "abort" | null = null;
    const timer = setTimeout(() => {
      ending = "timeout";
      controller.abort();
    }, request.timeoutSeconds * 1000);
    const onAbort = () => {
      ending ??= "abort";
      controller.abort();
    };
    request.signal.addEventListener("abort", onAbort, { once: true });
    if (request.signal.aborted) onAbort();
    this.inFlight.add(controller);
    const url = outgoing.url;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: outgoing.headers,
        body: JSON.stringify(outgoing.body),
        signal: controller.signal,
      });
      const body = await response.text();
      return this.interpret(response, body, model);
    } catch (error) {
      if (ending === "timeout")
        return failedRun("TIMEOUT", `no answer within ${request.timeoutSeconds} s`, {
          modelUsed: model,
        });
      // Aborted by the caller, or by `close` at shutdown.
      if (ending === "abort" || controller.signal.aborted) {
        return failedRun("CANCELLED", "cancelled; the request was aborted", { modelUsed: model });
      }
      const { errorClass, message } = classifyNetworkError(error);
      return failedRun(errorClass, `${url}: ${message}`, { modelUsed: model });
    } finally {
      clearTimeout(timer);
      request.signal.removeEventListener("abort", onAbort);
      this.inFlight.delete(controller);
    }
  }

  private interpret(response: Response, body: string, model: string): BackendRunResult {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      const errorClass = classifyStatus(response.status);
      const reason = familyErrorMessage(parsed) ?? body.trim().slice(0, 300);
      const message = `HTTP ${response.status}${reason ? `: ${reason}` : ""}`;
      const wait =
        errorClass === "RATE_LIMIT"
          ? retryAfterSeconds(response.headers.get("retry-after"), body, this.options.clock.now())
          : null;
      return failedRun(errorClass, message, {
        exitCode: response.status,
        rateLimitWaitSeconds: wait,
        stderrTail: tailOf(body),
        modelUsed: model,
      });
    }
    const answer = parseFamilyAnswer(this.http.schema_family, parsed);
    if (answer === null) {
      return failedRun(
        "EXECUTION_ERROR",
        `the response is not a ${this.http.schema_family} answer (${EXPECTED_ANSWER[this.http.schema_family]})`,
        {
          exitCode: response.status,
          stderrTail: tailOf(body),
          modelUsed: model,
        },
      );
    }
    return {
      executionSuccess: true,
      exitCode: 0,
      exitSignal: null,
      plainFailure: false,
      errorClass: null,
      errorMessage: null,
      rateLimited: false,
      rateLimitWaitSeconds: null,
      resultText: answer.text,
      stdoutTail: tailOf(answer.text),
      stderrTail: "",
      inputTokens: answer.inputTokens,
      outputTokens: answer.outputTokens,
      reportedCostUsd: null,
      modelUsed: answer.model ?? model,
    };
  }

  async close(): Promise<void> {
    for (const controller of this.inFlight) controller.abort();
  }
}
