/**
 * Local stand-ins of the three model APIs the agent CLIs talk to: Anthropic Messages (SSE),
 * OpenAI Responses (SSE) and Gemini generateContent / streamGenerateContent. One HTTP server
 * answers all three; each agent request takes the next scripted reply, so a test decides per
 * request whether the model answers, calls a tool, rate-limits, refuses the key or hangs.
 *
 * "Agent requests" are the ones that offer tools: the CLIs also send small side requests
 * (titles, quota probes, routing) which always get a short text answer and never consume the
 * script. No request ever leaves the machine.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Reply =
  | {
      kind: "text";
      text: string;
      inputTokens?: number;
      outputTokens?: number;
      cachedTokens?: number;
      /** The answer starts this long after the request (a model that takes its time). */
      delayMs?: number;
    }
  | { kind: "write_file"; path: string; content: string; delayMs?: number }
  | { kind: "status"; status: 401 | 429 | 500 | 503; retryAfterSeconds?: number }
  | { kind: "hang" };

export type ApiFamily = "anthropic" | "openai" | "gemini";

export interface RecordedRequest {
  family: ApiFamily | "unknown";
  method: string;
  path: string;
  agent: boolean;
  /** What the stand-in answered: the reply kind, or "side" for a side request. */
  answered: string;
  at: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

const DEFAULT_REPLY: Reply = { kind: "text", text: "done", inputTokens: 10, outputTokens: 2 };

export class ModelApiStandIn {
  readonly requests: RecordedRequest[] = [];
  private readonly script: Reply[] = [];
  private readonly hanging = new Set<http.ServerResponse>();
  private fallback: Reply = DEFAULT_REPLY;
  private server: http.Server | null = null;
  private port = 0;

  /**
   * `everyRequest`: every request of a known family takes the script (HTTP instruments send
   * one plain request per attempt, without tools).
   */
  constructor(private readonly options: { everyRequest?: boolean } = {}) {}

  /** Replies for the next agent requests, in order; when they run out, `fallback` answers. */
  enqueue(...replies: Reply[]): this {
    this.script.push(...replies);
    return this;
  }

  setFallback(reply: Reply): this {
    this.fallback = reply;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  agentRequests(): RecordedRequest[] {
    return this.requests.filter((request) => request.agent);
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const server = this.server;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = null;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = parseBody(Buffer.concat(chunks).toString("utf8"));
      const path = (req.url ?? "/").split("?")[0]!;
      const family = familyOf(path);
      const agent =
        family !== "unknown" && (this.options.everyRequest === true || offersTools(family, body));
      const reply = agent ? (this.script.shift() ?? this.fallback) : null;
      this.requests.push({
        family,
        method: req.method ?? "GET",
        path: req.url ?? "/",
        agent,
        answered: reply?.kind ?? "side",
        at: Date.now(),
        headers: req.headers,
        body,
      });
      if (family === "unknown") {
        res.writeHead(req.method === "HEAD" ? 200 : 404).end();
        return;
      }
      const effective = reply ?? { kind: "text", text: "ok", inputTokens: 1, outputTokens: 1 };
      const delayMs = "delayMs" in effective ? (effective.delayMs ?? 0) : 0;
      if (delayMs <= 0) this.answer(family, req, res, body, effective);
      else
        setTimeout(() => {
          if (!res.destroyed) this.answer(family, req, res, body, effective);
        }, delayMs);
    });
  }

  private answer(
    family: ApiFamily,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: unknown,
    reply: Reply,
  ): void {
    if (reply.kind === "hang") {
      // Headers go out so the client stops waiting for a connection; then nothing more.
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.flushHeaders();
      this.hanging.add(res);
      res.on("close", () => this.hanging.delete(res));
      return;
    }
    if (reply.kind === "status") {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (reply.retryAfterSeconds !== undefined) {
        headers["retry-after"] = String(reply.retryAfterSeconds);
        headers["anthropic-ratelimit-requests-reset"] = new Date(
          Date.now() + reply.retryAfterSeconds * 1000,
        ).toISOString();
      }
      res.writeHead(reply.status, headers).end(JSON.stringify(errorBody(family, reply)));
      return;
    }
    const model = modelOf(family, req.url ?? "", body);
    const stream = wantsStream(family, req.url ?? "", body);
    const writer = WRITERS[family];
    if (stream) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      for (const event of writer.events(reply, model)) res.write(event);
      res.end();
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(writer.document(reply, model)));
    }
  }
}

function parseBody(raw: string): unknown {
  if (raw === "") return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function familyOf(path: string): ApiFamily | "unknown" {
  if (path.endsWith("/messages")) return "anthropic";
  if (path.endsWith("/responses")) return "openai";
  if (/:(stream)?generateContent$/i.test(path)) return "gemini";
  return "unknown";
}

function offersTools(family: ApiFamily, body: unknown): boolean {
  if (body === null || typeof body !== "object") return false;
  // Codex sends every turn of the agent to /responses (and offers no tools for models it
  // does not know), so each of its requests is an agent request.
  if (family === "openai") return true;
  const tools = (body as { tools?: unknown }).tools;
  if (!Array.isArray(tools) || tools.length === 0) return false;
  if (family !== "gemini") return true;
  return tools.some(
    (tool) =>
      tool !== null &&
      typeof tool === "object" &&
      Array.isArray((tool as { functionDeclarations?: unknown[] }).functionDeclarations) &&
      (tool as { functionDeclarations: unknown[] }).functionDeclarations.length > 0,
  );
}

function wantsStream(family: ApiFamily, url: string, body: unknown): boolean {
  if (family === "gemini") return /streamGenerateContent/i.test(url);
  return Boolean((body as { stream?: unknown } | null)?.stream);
}

function modelOf(family: ApiFamily, url: string, body: unknown): string {
  if (family === "gemini") return /models\/([^:/]+):/.exec(url)?.[1] ?? "gemini-2.5-pro";
  const model = (body as { model?: unknown } | null)?.model;
  return typeof model === "string" ? model : "unknown-model";
}

function errorBody(family: ApiFamily, reply: Extract<Reply, { kind: "status" }>): unknown {
  const message =
    reply.status === 401
      ? "invalid x-api-key"
      : reply.status === 429
        ? "Rate limit exceeded; retry later"
        : "Overloaded";
  if (family === "anthropic") {
    const type =
      reply.status === 401
        ? "authentication_error"
        : reply.status === 429
          ? "rate_limit_error"
          : "overloaded_error";
    return { type: "error", error: { type, message } };
  }
  if (family === "openai") {
    const code =
      reply.status === 401
        ? "invalid_api_key"
        : reply.status === 429
          ? "rate_limit_exceeded"
          : "server_error";
    return { error: { message, type: code, code } };
  }
  const status =
    reply.status === 401
      ? "UNAUTHENTICATED"
      : reply.status === 429
        ? "RESOURCE_EXHAUSTED"
        : "UNAVAILABLE";
  // Like the real Gemini API: the wait is in the body (RetryInfo and the message), which is
  // where Gemini CLI reads it; the header alone it ignores.
  const retry = reply.retryAfterSeconds;
  return {
    error: {
      code: reply.status,
      message: retry === undefined ? message : `${message}. Please retry in ${retry}s.`,
      status,
      details:
        retry === undefined
          ? []
          : [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${retry}s` }],
    },
  };
}

type AnswerReply = Extract<Reply, { kind: "text" } | { kind: "write_file" }>;

interface FamilyWriter {
  events(reply: AnswerReply, model: string): string[];
  document(reply: AnswerReply, model: string): unknown;
}

function usageOf(reply: AnswerReply): { input: number; output: number; cached: number } {
  if (reply.kind === "text")
    return {
      input: reply.inputTokens ?? 10,
      output: reply.outputTokens ?? 2,
      cached: reply.cachedTokens ?? 0,
    };
  return { input: 20, output: 5, cached: 0 };
}

const sse = (event: string | null, data: unknown) =>
  `${event === null ? "" : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`;

const anthropic: FamilyWriter = {
  events(reply, model) {
    const usage = usageOf(reply);
    const id = `msg_${Date.now()}`;
    const out = [
      sse("message_start", {
        type: "message_start",
        message: {
          id,
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: usage.input,
            output_tokens: 1,
            cache_read_input_tokens: usage.cached,
            cache_creation_input_tokens: 0,
          },
        },
      }),
    ];
    if (reply.kind === "text") {
      out.push(
        sse("content_block_start", {
          type: "content_block_start",
          index: 0,
          content_block: { type: "text", text: "" },
        }),
        sse("content_block_delta", {
          type: "content_block_delta",
          index: 0,
          delta: { type: "text_delta", text: reply.text },
        }),
      );
    } else {
      out.push(
        sse("content_block_start", {
          type: "content_block_start",
          index: 0,
          content_block: { type: "tool_use", id: `toolu_${Date.now()}`, name: "Write", input: {} },
        }),
        sse("content_block_delta", {
          type: "content_block_delta",
          index: 0,
          delta: {
            type: "input_json_delta",
            partial_json: JSON.stringify({ file_path: reply.path, content: reply.content }),
          },
        }),
      );
    }
    out.push(
      sse("content_block_stop", { type: "content_block_stop", index: 0 }),
      sse("message_delta", {
        type: "message_delta",
        delta: {
          stop_reason: reply.kind === "text" ? "end_turn" : "tool_use",
          stop_sequence: null,
        },
        usage: { output_tokens: usage.output },
      }),
      sse("message_stop", { type: "message_stop" }),
    );
    return out;
  },
  document(reply, model) {
    const usage = usageOf(reply);
    return {
      id: `msg_${Date.now()}`,
      type: "message",
      role: "assistant",
      model,
      content:
        reply.kind === "text"
          ? [{ type: "text", text: reply.text }]
          : [
              {
                type: "tool_use",
                id: `toolu_${Date.now()}`,
                name: "Write",
                input: { file_path: reply.path, content: reply.content },
              },
            ],
      stop_reason: reply.kind === "text" ? "end_turn" : "tool_use",
      stop_sequence: null,
      usage: {
        input_tokens: usage.input,
        output_tokens: usage.output,
        cache_read_input_tokens: usage.cached,
        cache_creation_input_tokens: 0,
      },
    };
  },
};

function openaiItem(reply: AnswerReply): Record<string, unknown> {
  if (reply.kind === "text") {
    return {
      type: "message",
      id: `msg_${Date.now()}`,
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text: reply.text, annotations: [] }],
    };
  }
  const script = `printf '%s' '${reply.content}' > '${reply.path}'`;
  return {
    type: "function_call",
    id: `fc_${Date.now()}`,
    call_id: `call_${Date.now()}`,
    status: "completed",
    name: "exec_command",
    arguments: JSON.stringify({ cmd: script }),
  };
}

function openaiResponse(
  reply: AnswerReply,
  model: string,
  status: string,
): Record<string, unknown> {
  const usage = usageOf(reply);
  return {
    id: `resp_${Date.now()}`,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    status,
    model,
    output: status === "completed" ? [openaiItem(reply)] : [],
    usage:
      status === "completed"
        ? {
            input_tokens: usage.input,
            input_tokens_details: { cached_tokens: usage.cached },
            output_tokens: usage.output,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: usage.input + usage.output,
          }
        : null,
  };
}

const openai: FamilyWriter = {
  events(reply, model) {
    const item = openaiItem(reply);
    const out = [
      sse("response.created", {
        type: "response.created",
        response: openaiResponse(reply, model, "in_progress"),
      }),
      sse("response.output_item.added", {
        type: "response.output_item.added",
        output_index: 0,
        item: { ...item, status: "in_progress" },
      }),
    ];
    if (reply.kind === "text") {
      out.push(
        sse("response.output_text.delta", {
          type: "response.output_text.delta",
          item_id: item.id,
          output_index: 0,
          content_index: 0,
          delta: reply.text,
        }),
      );
    }
    out.push(
      sse("response.output_item.done", {
        type: "response.output_item.done",
        output_index: 0,
        item,
      }),
      sse("response.completed", {
        type: "response.completed",
        response: openaiResponse(reply, model, "completed"),
      }),
    );
    return out;
  },
  document(reply, model) {
    return openaiResponse(reply, model, "completed");
  },
};

function geminiChunk(reply: AnswerReply, model: string): Record<string, unknown> {
  const usage = usageOf(reply);
  const part =
    reply.kind === "text"
      ? { text: reply.text }
      : {
          functionCall: {
            name: "write_file",
            args: { file_path: reply.path, content: reply.content },
          },
        };
  return {
    candidates: [{ content: { role: "model", parts: [part] }, finishReason: "STOP", index: 0 }],
    usageMetadata: {
      promptTokenCount: usage.input,
      candidatesTokenCount: usage.output,
      cachedContentTokenCount: usage.cached,
      totalTokenCount: usage.input + usage.output,
    },
    modelVersion: model,
  };
}

const gemini: FamilyWriter = {
  events: (reply, model) => [sse(null, geminiChunk(reply, model))],
  document: (reply, model) => geminiChunk(reply, model),
};

const WRITERS: Record<ApiFamily, FamilyWriter> = { anthropic, openai, gemini };
