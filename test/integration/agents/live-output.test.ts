/**
 * Live output of a real agent CLI (Claude Code, streaming stream-json) through a whole Podium:
 * while the agent works for several times the idle limit, its progress arrives as `sheet.output`
 * events in a graphql-ws subscription (resumable without gap or duplicate) and the sheet is not
 * killed as stale; an agent that goes silent still is.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelApiStandIn } from "../../support/model-api-standin.ts";
import {
  collectEvents,
  startGatewayHarness,
  submit,
  TERMINAL_JOB_EVENTS,
  type GatewayHarness,
  type SheetEventData,
} from "../gateway/harness.ts";
import { agentEnvironment } from "./harness.ts";

const IDLE_SECONDS = 3;
/** Each model turn takes this long: the agent prints nothing meanwhile. */
const TURN_MS = 2_000;

let standIn: ModelApiStandIn;
let harness: GatewayHarness;
let root: string;

beforeAll(async () => {
  standIn = await new ModelApiStandIn().start();
  root = mkdtempSync(path.join(tmpdir(), "podium-live-output-"));
  harness = await startGatewayHarness({
    env: agentEnvironment("claude-code", root, standIn.url),
  });
});

afterAll(async () => {
  await harness?.close();
  await standIn?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

function score(name: string, workspace: string): string {
  return [
    `name: ${name}`,
    "instrument: claude-code",
    `workspace: ${workspace}`,
    "sheet: {size: 1, total_items: 1}",
    "retry: {max_retries: 0}",
    `stale_detection: {enabled: true, idle_timeout_seconds: ${IDLE_SECONDS}, check_interval_seconds: 1}`,
    "prompt:",
    "  template: Write the three files, then say so.",
  ].join("\n");
}

const isTerminal = (event: SheetEventData) =>
  event.sheetNum === 0 && TERMINAL_JOB_EVENTS.has(event.event);

describe("sheet.output from a real streaming agent", () => {
  it("arrives in the subscription while the agent outlives the idle limit, and the sheet completes", async () => {
    const workspace = path.join(root, "working");
    mkdirSync(workspace);
    standIn.enqueue(
      ...["a", "b", "c"].map((name) => ({
        kind: "write_file" as const,
        path: path.join(workspace, `${name}.txt`),
        content: name,
        delayMs: TURN_MS,
      })),
      // The agent echoes its API key: live output is redacted like every stored text.
      { kind: "text", text: "All three files are written with sk-ant-standin", delayMs: TURN_MS },
    );
    const client = harness.wsClient();
    const jobId = await submit(harness, score("live-output", workspace));
    const events = await collectEvents(client, { jobId }, isTerminal);

    expect(events.at(-1)!.event).toBe("job.completed");
    expect(events.map((event) => event.event)).not.toContain("sheet.stale");
    const outputs = events.filter((event) => event.event === "sheet.output");
    const text = outputs.map((event) => String(event.data.text)).join("\n");
    for (const name of ["a", "b", "c"])
      expect(text).toContain(`→ Write ${path.join(workspace, `${name}.txt`)}`);
    expect(text).toContain("All three files are written with");
    expect(text).not.toContain("sk-ant-standin");
    expect(outputs.at(-1)!.data).toMatchObject({ inputTokens: expect.any(Number) });
    for (const output of outputs)
      expect(Buffer.byteLength(String(output.data.text))).toBeLessThanOrEqual(2048);
    // The progress came while the agent worked, spread over more than the idle limit.
    const span = Date.parse(outputs.at(-1)!.timestamp) - Date.parse(outputs[0]!.timestamp);
    expect(span).toBeGreaterThan(IDLE_SECONDS * 1000);
    const completed = events.find((event) => event.event === "sheet.completed")!;
    expect(outputs.every((output) => output.seq < completed.seq)).toBe(true);

    // Resuming after the second output gives the rest of the log, no gap and no duplicate.
    const resumed = await collectEvents(
      harness.wsClient(),
      { jobId, after: outputs[1]!.cursor },
      isTerminal,
    );
    const tail = events.slice(events.indexOf(outputs[1]!) + 1);
    expect(resumed.map((event) => event.seq)).toEqual(tail.map((event) => event.seq));
  });

  it("an agent that goes silent is still killed as stale", async () => {
    const workspace = path.join(root, "silent");
    mkdirSync(workspace);
    standIn.enqueue({ kind: "hang" });
    const client = harness.wsClient();
    const started = Date.now();
    const jobId = await submit(harness, score("silent-agent", workspace));
    const events = await collectEvents(client, { jobId }, isTerminal);
    expect(events.at(-1)!.event).toBe("job.failed");
    const failed = events.find((event) => event.event === "sheet.failed")!;
    expect(JSON.stringify(failed.data)).toMatch(/stale/i);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
