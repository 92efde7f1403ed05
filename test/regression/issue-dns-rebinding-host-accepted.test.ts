/**
 * DNS rebinding: a page on http://evil.test:<port>, whose name the attacker re-points at
 * 127.0.0.1, reaches a local Podium "same-origin", with Origin and Host both naming evil.test.
 * `originAllowed` (graphql/security.ts) accepted any Origin whose host equals the request's Host
 * header, so such a page could submit jobs (HTTP) and open subscriptions (WebSocket, which uses
 * the same check in server.ts `verifyClient`). Only the listed origins and the loopback names the
 * server really answers to may pass.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { query } from "../reliability/support/client.ts";
import {
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "../reliability/support/server-process.ts";

describe("a request whose Origin and Host both name a rebound host", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (server) removeDataDir(server.dataDir);
  });

  it("cannot submit a job over HTTP", async () => {
    const rebound = `evil.test:${server.port}`;
    const body = JSON.stringify({
      query: "mutation($input: SubmitJobInput!) { submitJob(input: $input) { __typename } }",
      variables: {
        input: {
          score:
            "name: rebound\ninstrument: cli\nsheet: {size: 1, total_items: 1}\nprompt: {template: echo}\n",
          dryRun: true,
        },
      },
    });
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = request(
        {
          host: "127.0.0.1",
          port: server.port,
          path: "/graphql",
          method: "POST",
          headers: {
            host: rebound,
            origin: `http://${rebound}`,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          },
        },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });
    const jobs = await query<{ jobs: { edges: unknown[] } }>(
      { url: server.url, wsUrl: server.wsUrl },
      "{ jobs { edges { cursor } } }",
    );
    expect({ status, jobs: jobs.jobs.edges.length }).toEqual({ status: 403, jobs: 0 });
  });

  it("cannot open a WebSocket", async () => {
    const rebound = `evil.test:${server.port}`;
    const outcome = await new Promise<string>((resolve) => {
      const socket = new WebSocket(
        `ws://127.0.0.1:${server.port}/graphql`,
        "graphql-transport-ws",
        {
          headers: { host: rebound },
          origin: `http://${rebound}`,
        },
      );
      socket.once("open", () => {
        socket.close();
        resolve("open");
      });
      socket.once("unexpected-response", (_request, response) =>
        resolve(`refused ${response.statusCode}`),
      );
      socket.once("error", (error) => resolve(`error ${error.message}`));
    });
    expect(outcome).toBe("refused 403");
  });
});
