/**
 * Nothing is buffered before authentication. With PODIUM_TOKEN set: a 20 MB request body without
 * a token is refused with 413 from its declared length, before it is read; so is one over the
 * overall cap with the token; a body of unknown length gets 411. A 90 MiB graphql-ws
 * `connection_init` frame closes the socket (1009) without the server reading it. The server's
 * RSS does not grow by the payloads' size, and another client is answered throughout.
 */
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { post, type Endpoint } from "./support/client.ts";
import {
  MB,
  removeDataDir,
  RssSampler,
  startServerProcess,
  type ServerProcess,
} from "./support/server-process.ts";

const TOKEN = "reliability-token-body-7d21";
/** What the server may grow by while it refuses payloads of 20 MB and 90 MiB. */
const RSS_BUDGET_MB = 40;

let server: ServerProcess;
let authorized: Endpoint;

beforeAll(async () => {
  server = await startServerProcess({ token: TOKEN });
  authorized = { url: server.url, wsUrl: server.wsUrl, token: TOKEN };
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
});

interface RawAnswer {
  status: number;
  body: string;
}

/** POSTs `bytes` of body in 1 MB writes (or chunked, with no length), and returns the answer. */
function rawPost(
  bytes: number,
  options: { token?: string; chunked?: boolean } = {},
): Promise<RawAnswer> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (!options.chunked) headers["content-length"] = String(bytes);
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const outgoing = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        response.on("error", reject);
      },
    );
    // Once the server has answered and closed, the rest of the upload fails: that is expected.
    outgoing.on("error", () => undefined);
    const chunk = Buffer.alloc(Math.min(MB, bytes), 0x20);
    let sent = 0;
    const writeMore = (): void => {
      while (sent < bytes && !outgoing.destroyed) {
        const piece = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
        sent += piece.length;
        if (!outgoing.write(piece)) {
          outgoing.once("drain", writeMore);
          return;
        }
      }
      if (!outgoing.destroyed) outgoing.end();
    };
    writeMore();
    setTimeout(() => reject(new Error("no answer within 30 s")), 30_000).unref();
  });
}

async function probe(): Promise<void> {
  const answer = await post(authorized, "{ __typename }");
  expect(answer.body?.data).toEqual({ __typename: "Query" });
}

function errorCode(answer: RawAnswer): unknown {
  return (JSON.parse(answer.body) as { errors: { extensions: { code: string } }[] }).errors[0]!
    .extensions.code;
}

describe("request bodies before authentication", () => {
  it("refuses a 20 MB body without a token with 413, before reading it", async () => {
    const baseline = server.rssBytes()!;
    const sampler = new RssSampler(() => server.rssBytes(), 20).start();
    const [answer] = await Promise.all([rawPost(20 * MB), probe()]);
    const { peakBytes } = sampler.stop();
    expect(answer.status).toBe(413);
    expect(errorCode(answer)).toBe("PAYLOAD_TOO_LARGE");
    expect(answer.body).toMatch(/without a valid token/);
    expect((peakBytes - baseline) / MB).toBeLessThan(RSS_BUDGET_MB);
    await probe();
  });

  it("caps bodies with a valid token too, and refuses bodies of unknown length", async () => {
    const [capped] = await Promise.all([rawPost(20 * MB, { token: TOKEN }), probe()]);
    expect(capped.status).toBe(413);
    expect(errorCode(capped)).toBe("PAYLOAD_TOO_LARGE");
    const chunked = await rawPost(1_000, { token: TOKEN, chunked: true });
    expect(chunked.status).toBe(411);
    expect(errorCode(chunked)).toBe("LENGTH_REQUIRED");
  });

  it("still answers small bodies: 401 without the token, a 900 KB score with it", async () => {
    const anonymous = await post({ url: server.url, wsUrl: server.wsUrl }, "{ __typename }");
    expect(anonymous.status).toBe(401);
    const score = `name: big\ninstrument: cli\nsheet: {size: 1, total_items: 1}\nprompt: {template: "echo hi"}\n# ${"x".repeat(900_000)}\n`;
    const validated = await post<{ validateScore: { valid: boolean } }>(
      authorized,
      "query ($score: String!) { validateScore(score: $score) { valid } }",
      { score },
    );
    expect(validated.body?.data?.validateScore.valid).toBe(true);
  });
});

describe("WebSocket frames before authentication", () => {
  it("closes a socket whose connection_init frame is 90 MiB (1009), without reading it", async () => {
    // Built before connecting: the server gives a connection 3 s to send connection_init.
    const payload = { authorization: `Bearer ${TOKEN}`, padding: "p".repeat(90 * MB) };
    const frame = Buffer.from(JSON.stringify({ type: "connection_init", payload }));
    const baseline = server.rssBytes()!;
    const sampler = new RssSampler(() => server.rssBytes(), 20).start();
    const socket = new WebSocket(server.wsUrl, "graphql-transport-ws");
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    socket.on("error", () => undefined);
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    socket.send(frame, { binary: false });
    await probe();
    const code = await closed;
    const { peakBytes } = sampler.stop();
    expect(code).toBe(1009); // message too big
    expect((peakBytes - baseline) / MB).toBeLessThan(RSS_BUDGET_MB);
    await probe();
  });
});
