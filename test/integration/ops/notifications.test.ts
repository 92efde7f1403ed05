/**
 * Notifications from a real server process to a local HTTP receiver: the job-end webhook
 * setting, and a score's own `notifications` on the events they name, retried after a failure
 * and with secrets redacted.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import {
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "../../reliability/support/server-process.ts";
import { bashScore, podium, scoreDir, writeScore } from "../cli/support.ts";

interface Received {
  path: string;
  body: Record<string, unknown>;
}

interface Receiver {
  url: string;
  received: Received[];
  /** Resolves once `count` bodies arrived at `path`. */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** Answers 503 to the first `failFirst` requests of each path, 200 after. */
async function startReceiver(failFirst = 0): Promise<Receiver> {
  const received: Received[] = [];
  const failures = new Map<string, number>();
  const waiters = new Set<() => void>();
  const server: Server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    request.on("end", () => {
      const path = request.url ?? "/";
      const failed = failures.get(path) ?? 0;
      if (failed < failFirst) {
        failures.set(path, failed + 1);
        response.writeHead(503).end();
        return;
      }
      received.push({ path, body: JSON.parse(text) as Record<string, unknown> });
      response.writeHead(200).end("ok");
      for (const waiter of waiters) waiter();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    waitFor(path, count, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const matching = (): Received[] => received.filter((entry) => entry.path === path);
        const timer = setTimeout(
          () => reject(new Error(`got ${JSON.stringify(received)} at ${path}`)),
          timeoutMs,
        );
        const check = (): void => {
          if (matching().length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(matching());
        };
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let server: ServerProcess | null = null;
let receiver: Receiver | null = null;

afterEach(async () => {
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
  await receiver?.close();
  server = null;
  receiver = null;
});

it("POSTs every job end to PODIUM_WEBHOOK_URL", async () => {
  receiver = await startReceiver();
  server = await startServerProcess({ env: { PODIUM_WEBHOOK_URL: `${receiver.url}/job-end` } });
  const file = writeScore(scoreDir(), "ends.yaml", bashScore("ends-well", "echo fine"));
  const run = podium(["run", file, "--watch"], { PODIUM_URL: server.url });
  expect(await run.exited).toBe(0);
  const jobId = /submitted job (\S+)/.exec(run.output())![1]!;
  const [delivery] = await receiver.waitFor("/job-end", 1);
  expect(delivery!.body).toMatchObject({
    source: "podium",
    event: "job_complete",
    job: { id: jobId, name: "ends-well" },
    sheet: null,
    message: 'Job "ends-well" completed',
  });
});

it("acts on the score's notifications, retrying a failed delivery and redacting secrets", async () => {
  receiver = await startReceiver(1);
  const secret = "hunter2-very-secret-value";
  server = await startServerProcess({
    env: { HOOK_URL: `${receiver.url}/score-hook`, DEPLOY_TOKEN: secret },
  });
  const score = bashScore("notifies", `echo failing >&2\nexit 4`)
    .concat(
      [
        "notifications:",
        "  - type: webhook",
        "    on_events: [job_start, sheet_failed, job_failed]",
        "    config:",
        "      url_env: HOOK_URL",
        "  - type: slack",
        "    on_events: [job_failed]",
        "    config:",
        `      webhook_url: ${receiver.url}/slack`,
        "",
      ].join("\n"),
    )
    .replace("name: notifies", `name: notifies-${secret}`);
  const run = podium(["run", writeScore(scoreDir(), "notifies.yaml", score), "--watch"], {
    PODIUM_URL: server.url,
  });
  expect(await run.exited).toBe(1);

  const deliveries = await receiver.waitFor("/score-hook", 3);
  expect(deliveries.map((entry) => entry.body.event).sort()).toEqual([
    "job_failed",
    "job_start",
    "sheet_failed",
  ]);
  expect(deliveries.find((entry) => entry.body.event === "sheet_failed")!.body.sheet).toBe(1);
  const [slack] = await receiver.waitFor("/slack", 1);
  expect(slack!.body).toEqual({ text: expect.stringMatching(/^Job "notifies-.*" failed/) });
  // Each path answered 503 once: the first try of one notification was retried.
  expect(receiver.received.length).toBe(4);
  expect(JSON.stringify(receiver.received)).not.toContain(secret);
  expect(JSON.stringify(receiver.received)).toContain("[REDACTED]");
});
