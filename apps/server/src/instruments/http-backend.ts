/**
 * OpenAI-compatible chat completions over HTTP (SCORE-SCHEMA.md §35.5): one user message, the
 * answer from `choices[0].message.content`, usage tokens from `usage`. Failures are classified
 * like CLI failures so the baton's ladder treats both alike.
 */
import type { ErrorClass } from "../baton/attempt.ts";
import type { Clock } from "../baton/ports.ts";
import {
  failedRun,
  type BackendRunRequest,
  type BackendRunResult,
  type InstrumentBackend,
} from "./backend.ts";
import type { HttpProfile, InstrumentProfile } from "./profile-schema.ts";
import { parseRateLimitWait, DEFAULT_RATE_LIMIT_WAIT_SECONDS } from "./rate-limit-wait.ts";
import { tailOf } from "./process-group.ts";

export interface HttpBackendOptions {
  env: NodeJS.ProcessEnv;
  clock: Clock;
}

interface ChatCompletion {
  model?: string;
  choices?: { message?: { content?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  error?: { message?: string };
}

/** `Retry-After` is seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null, body: string, nowMs: number): number {
  if (header !== null) {
    const trimmed = header.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.max(1, Math.ceil(Number(trimmed)));
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) return Math.max(1, Math.ceil((date - nowMs) / 1000));
  }
  return parseRateLimitWait(body, nowMs) ?? DEFAULT_RATE_LIMIT_WAIT_SECONDS;
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
    if (this.http.schema_family !== "openai") {
      return failedRun(
        "EXECUTION_ERROR",
        `schema family '${this.http.schema_family}' is not supported; use 'openai'`,
      );
    }
    const model = request.model ?? this.profile.default_model;
    if (model === null)
      return failedRun("EXECUTION_ERROR", `instrument '${this.profile.name}' needs a model`);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.http.auth_env_var !== null) {
      const key = this.options.env[this.http.auth_env_var];
      if (!key) {
        return failedRun(
          "AUTH_FAILURE",
          `environment variable ${this.http.auth_env_var} is not set`,
          { modelUsed: model },
        );
      }
      headers.authorization = `Bearer ${key}`;
    }
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
    const url = this.http.base_url.replace(/\/+$/, "") + this.http.endpoint;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers,
        body: JSON.stringify({ model, messages: [{ role: "user", content: request.prompt }] }),
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
    let parsed: ChatCompletion | null;
    try {
      parsed = JSON.parse(body) as ChatCompletion;
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      const errorClass = classifyStatus(response.status);
      const reason = parsed?.error?.message ?? body.trim().slice(0, 300);
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
    const content = parsed?.choices?.[0]?.message?.content;
    if (parsed === null || typeof content !== "string") {
      return failedRun(
        "EXECUTION_ERROR",
        "the response is not a chat completion (no choices[0].message.content)",
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
      resultText: content,
      stdoutTail: tailOf(content),
      stderrTail: "",
      inputTokens: parsed.usage?.prompt_tokens ?? null,
      outputTokens: parsed.usage?.completion_tokens ?? null,
      reportedCostUsd: null,
      modelUsed: parsed.model ?? model,
    };
  }

  async close(): Promise<void> {
    for (const controller of this.inFlight) controller.abort();
  }
}
