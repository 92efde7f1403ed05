/**
 * GraphiQL skipped the gates every operation passes: Yoga renders it in its own request hook,
 * before the gateway's Host/Origin check and before any token check. A page under a rebound host
 * name got GraphiQL from a token-less local server, and anyone got it from a server with a
 * token. The server now gates GraphiQL requests itself: loopback Host (without a token), and the
 * token or a session (with one), else a redirect to the login page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest } from "../reliability/support/raw-http.ts";
import {
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "../reliability/support/server-process.ts";

const TOKEN = "graphiql-gate-token";
const AS_BROWSER = { accept: "text/html,application/xhtml+xml" };

describe("GraphiQL", () => {
  let open: ServerProcess;
  let guarded: ServerProcess;
  beforeAll(async () => {
    [open, guarded] = await Promise.all([
      startServerProcess(),
      startServerProcess({ token: TOKEN }),
    ]);
  }, 60_000);
  afterAll(async () => {
    for (const server of [open, guarded]) {
      await server?.stop();
      if (server) removeDataDir(server.dataDir);
    }
  });

  it("is refused under a rebound Host", async () => {
    const response = await rawRequest(open.url, {
      headers: { ...AS_BROWSER, host: `evil.test:${open.port}` },
    });
    expect(response.status).toBe(403);
    expect(response.body).not.toContain("renderYogaGraphiQL");
    const loopback = await rawRequest(open.url, { headers: AS_BROWSER });
    expect(loopback.status).toBe(200);
  });

  it("asks for the token before it is shown", async () => {
    const response = await rawRequest(guarded.url, { headers: AS_BROWSER });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe("/login?next=%2Fgraphql");
    expect(response.body).not.toContain("renderYogaGraphiQL");
    const withToken = await rawRequest(guarded.url, {
      headers: { ...AS_BROWSER, authorization: `Bearer ${TOKEN}` },
    });
    expect(withToken.status).toBe(200);
  });
});
