/**
 * With PODIUM_TOKEN set, a 20 MB request body without a token was read and parsed before the
 * 401: the server handed every request to Yoga whatever its size. Bodies are now refused from
 * their declared length (graphql/body-limit.ts) before any of them is read.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGatewayHarness, type GatewayHarness } from "../integration/gateway/harness.ts";

const TOKEN = "regression-body-token";

function postDeclaring(url: string, bytes: number, headers: Record<string, string> = {}) {
  const target = new URL(url);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: { "content-type": "application/json", "content-length": bytes, ...headers },
      },
      (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    outgoing.on("error", reject);
    // Only the headers are sent: the answer must come without the server waiting for the body.
    outgoing.flushHeaders();
  });
}

describe("a large body without a token", () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness({ token: TOKEN });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it("is refused with 413 from its declared length, before it is sent", async () => {
    const answer = await postDeclaring(harness.server.url, 20 * 1024 * 1024);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({
      errors: [{ extensions: { code: "PAYLOAD_TOO_LARGE" } }],
    });
    const small = await harness.request("{ __typename }");
    expect(small.body.data).toEqual({ __typename: "Query" });
  });
});
