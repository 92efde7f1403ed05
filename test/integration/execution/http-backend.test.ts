import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackendPool } from "../../../apps/server/src/instruments/pool.ts";
import { parseProfileText } from "../../../apps/server/src/instruments/loader.ts";
import { createMusician } from "../../../apps/server/src/musician/musician.ts";
import { attemptRequest, signalNotAborted, tempDir } from "./helpers.ts";

const API_KEY = "sk-test-abcdefghijklmnopqrstuvwx";
const received: {
  authorization?: string;
  body: { model: string; messages: { role: string; content: string }[] };
}[] = [];

// The prompt picks the server's behaviour, so one server serves every case.
const server = http.createServer((request, response) => {
  let text = "";
  request.on("data", (chunk) => (text += chunk));
  request.on("end", () => {
    const body = JSON.parse(text);
    received.push({ authorization: request.headers.authorization, body });
    const prompt: string = body.messages[0].content;
    if (prompt.includes("RATE")) {
      response.writeHead(429, { "content-type": "application/json", "retry-after": "42" });
      response.end(JSON.stringify({ error: { message: "Rate limit reached for requests" } }));
    } else if (prompt.includes("AUTH")) {
      response.writeHead(401, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ error: { message: `Incorrect API key provided: ${API_KEY}` } }),
      );
    } else if (prompt.includes("DROP")) {
      request.socket.destroy();
    } else if (prompt.includes("BUSY")) {
      response.writeHead(503);
      response.end("upstream unavailable");
    } else if (prompt.includes("SLOW")) {
      setTimeout(() => response.end("{}"), 5_000);
    } else {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          model: "gpt-4o-mini-2024-07-18",
          choices: [
            { index: 0, message: { role: "assistant", content: `echo: ${prompt.length}` } },
          ],
          usage: { prompt_tokens: 2000, completion_tokens: 1000, total_tokens: 3000 },
        }),
      );
    }
  });
});

let pool: BackendPool;

/** A port nothing listens on: bound once, then released. */
async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function httpProfile(baseUrl: string) {
  const loaded = parseProfileText(`
name: local-llm
display_name: Local LLM
kind: http
default_model: gpt-4o-mini
models:
  - name: gpt-4o-mini
    context_window: 128000
    cost_per_1k_input: 0.00015
    cost_per_1k_output: 0.0006
http:
  base_url: "${baseUrl}"
  schema_family: openai
  auth_env_var: LOCAL_LLM_API_KEY
`);
  if ("problem" in loaded) throw new Error(loaded.problem.message);
  return loaded.profile;
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  pool = new BackendPool({
    profiles: new Map([["local-llm", httpProfile(`http://127.0.0.1:${port}`)]]),
    env: { LOCAL_LLM_API_KEY: API_KEY },
  });
});

afterAll(async () => {
  await pool.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function play(template: string, timeoutSeconds = 10) {
  const musician = createMusician({ pool });
  return musician.play(
    attemptRequest({
      workspace: tempDir(),
      instrument: "local-llm",
      timeoutSeconds,
      prompt: { template } as never,
    }),
    { signal: signalNotAborted() },
  );
}

describe("OpenAI-compatible HTTP instrument", () => {
  it("returns the completion text, tokens and cost, sending the key as a bearer token", async () => {
    const result = await play("Say hello");
    expect(result.executionSuccess).toBe(true);
    expect(result.stdoutTail).toMatch(/^echo: \d+$/);
    expect(result.inputTokens).toBe(2000);
    expect(result.outputTokens).toBe(1000);
    expect(result.modelUsed).toBe("gpt-4o-mini-2024-07-18");
    // The dated model id is priced as its listed family.
    expect(result.costUsd).toBeCloseTo(2 * 0.00015 + 1 * 0.0006, 10);
    const last = received[received.length - 1]!;
    expect(last.authorization).toBe(`Bearer ${API_KEY}`);
    expect(last.body.model).toBe("gpt-4o-mini");
    expect(last.body.messages[0]!.content).toContain("Say hello");
  });

  it("turns 429 with Retry-After into a rate limit with that wait", async () => {
    const result = await play("RATE");
    expect(result.errorClass).toBe("RATE_LIMIT");
    expect(result.rateLimited).toBe(true);
    expect(result.rateLimitWaitSeconds).toBe(42);
  });

  it("turns 401 into AUTH_FAILURE and keeps the key out of the message", async () => {
    const result = await play("AUTH");
    expect(result.errorClass).toBe("AUTH_FAILURE");
    expect(result.errorMessage).toContain("HTTP 401");
    expect(result.errorMessage).not.toContain(API_KEY);
    expect(result.stderrTail).not.toContain(API_KEY);
  });

  it("classifies a dropped connection", async () => {
    const result = await play("DROP");
    expect(result.executionSuccess).toBe(false);
    expect(result.errorClass).toBe("CRASH");
    expect(result.errorMessage).toMatch(/dropped|socket/i);
  });

  it("classifies 503 as capacity", async () => {
    const result = await play("BUSY");
    expect(result.errorClass).toBe("CAPACITY");
  });

  it("classifies a refused connection as capacity", async () => {
    const port = await freePort();
    const closedPort = new BackendPool({
      profiles: new Map([["local-llm", httpProfile(`http://127.0.0.1:${port}`)]]),
      env: { LOCAL_LLM_API_KEY: API_KEY },
    });
    const result = await createMusician({ pool: closedPort }).play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "local-llm",
        prompt: { template: "hi" } as never,
      }),
      { signal: signalNotAborted() },
    );
    expect(result.errorClass).toBe("CAPACITY");
    expect(result.errorMessage).toContain("ECONNREFUSED");
  });

  it("times out a slow server", async () => {
    const result = await play("SLOW", 0.5);
    expect(result.errorClass).toBe("TIMEOUT");
  });

  it("fails with AUTH_FAILURE when the key variable is unset", async () => {
    const keyless = new BackendPool({
      profiles: new Map([["local-llm", httpProfile("http://127.0.0.1:1")]]),
      env: {},
    });
    const result = await createMusician({ pool: keyless }).play(
      attemptRequest({
        workspace: tempDir(),
        instrument: "local-llm",
        prompt: { template: "hi" } as never,
      }),
      { signal: signalNotAborted() },
    );
    expect(result.errorClass).toBe("AUTH_FAILURE");
    expect(result.errorMessage).toContain("LOCAL_LLM_API_KEY");
  });
});
