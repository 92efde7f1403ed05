/**
 * Bad input, property-based: random score YAML (real keys, junk values, damaged text) through
 * validateScore and submitJob (dry runs: nothing executes), and random variables for submitJob,
 * validateScore, jobs, job and events. Never a crash, never a stack trace or a source path in a
 * response, always a typed error or a valid result, and the server still answers afterwards.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scoreText, submitInput, variablesFor } from "./support/arbitraries.ts";
import { internalsIn } from "./support/checks.ts";
import { post, query, sleep, type Endpoint, type GraphQLResponse } from "./support/client.ts";
import { MODE, scaled } from "./support/mode.ts";
import {
  MB,
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "./support/server-process.ts";

const RUNS = scaled({ full: 1_500, short: 150 });
/** Keys in the "many unknown keys" document: 70,000 is close to the 1 MB score limit. */
const UNKNOWN_KEYS = scaled({ full: 70_000, short: 20_000 });

let server: ServerProcess;
let endpoint: Endpoint;
let tried = 0;

beforeAll(async () => {
  server = await startServerProcess();
  endpoint = { url: server.url, wsUrl: server.wsUrl };
});

afterAll(async () => {
  const state =
    server?.child.exitCode === null ? "still running" : `exited (${server?.child.exitCode})`;
  console.log(`reliability bad input: ${tried} hostile requests tried (${MODE}); server ${state}`);
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
});

const VALIDATE = /* GraphQL */ `
  query Validate($score: String!) {
    validateScore(score: $score) {
      valid
      sheetCount
      warnings
      problems {
        path
        message
        line
      }
    }
  }
`;
const SUBMIT = /* GraphQL */ `
  mutation Submit($input: SubmitJobInput!) {
    submitJob(input: $input) {
      __typename
      ... on SubmitJobSuccess {
        job {
          id
          status
          totalSheets
        }
        warnings
      }
      ... on ScoreInvalid {
        message
        problems {
          path
          message
          line
        }
      }
    }
  }
`;
const JOBS = /* GraphQL */ `
  query Jobs($first: Int, $after: String, $status: [JobStatus!]) {
    jobs(first: $first, after: $after, status: $status) {
      edges {
        cursor
        node {
          id
          status
        }
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
`;
const EVENTS = /* GraphQL */ `
  query Events($jobId: ID, $after: String, $first: Int) {
    events(jobId: $jobId, after: $after, first: $first) {
      edges {
        cursor
        node {
          seq
          event
        }
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
`;
const JOB = /* GraphQL */ `
  query Job($id: ID!) {
    job(id: $id) {
      id
      status
      sheets {
        num
        status
      }
    }
  }
`;

interface Problem {
  path: unknown;
  message: unknown;
  line: unknown;
}

/** What every response must be: JSON, no internals, a typed error or a well-formed result. */
function expectWellFormed<T>(response: GraphQLResponse<T>, sent: unknown): void {
  tried += 1;
  const context = `sent ${JSON.stringify(sent).slice(0, 600)}\ngot ${response.status} ${response.text.slice(0, 1_500)}`;
  expect(response.status, context).toBeLessThan(500);
  expect(response.body, context).not.toBeNull();
  expect(internalsIn(response.text), context).toEqual([]);
  for (const error of response.body!.errors ?? []) {
    expect(typeof error.message === "string" && error.message.length > 0, context).toBe(true);
    // A masked error means an exception escaped a resolver: not a typed error.
    expect(error.message, context).not.toMatch(/^Unexpected error/);
  }
  if (!response.body!.errors?.length) expect(response.body!.data, context).toBeTruthy();
}

function expectProblemsWellFormed(problems: Problem[], context: string): void {
  for (const problem of problems) {
    expect(typeof problem.path, context).toBe("string");
    expect(typeof problem.message === "string" && problem.message.length > 0, context).toBe(true);
    expect(
      problem.line === null || (Number.isInteger(problem.line) && (problem.line as number) >= 1),
      context,
    ).toBe(true);
  }
}

async function expectServerHealthy(): Promise<void> {
  expect(server.child.exitCode, server.output().slice(-3_000)).toBeNull();
  const data = await query<{ health: { ok: boolean; database: boolean } }>(
    endpoint,
    "{ health { ok database } }",
  );
  expect(data.health).toEqual({ ok: true, database: true });
}

/** Only dry runs: a generated score that happens to be valid must not execute anything. */
function dryRunOnly(input: unknown): unknown {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return input;
  const record = input as Record<string, unknown>;
  if (record.dryRun === undefined || typeof record.dryRun === "boolean")
    return { ...record, dryRun: true };
  return record;
}

describe(`bad input (${MODE}: ${RUNS} runs per property)`, () => {
  it("validateScore answers every random score with a verdict and placed problems", async () => {
    await fc.assert(
      fc.asyncProperty(scoreText, async (score) => {
        const response = await post<{
          validateScore: { valid: boolean; sheetCount: number | null; problems: Problem[] };
        }>(endpoint, VALIDATE, { score });
        expectWellFormed(response, { score });
        const result = response.body!.data!.validateScore;
        const context = `score:\n${score}\nresult: ${JSON.stringify(result)}`;
        expect(typeof result.valid, context).toBe("boolean");
        if (result.valid) expect(result.sheetCount, context).toBeGreaterThanOrEqual(1);
        else expect(result.problems.length, context).toBeGreaterThan(0);
        expectProblemsWellFormed(result.problems, context);
      }),
      { numRuns: RUNS },
    );
    await expectServerHealthy();
  });

  it("submitJob answers every random input with a job, a ScoreInvalid or a typed error", async () => {
    await fc.assert(
      fc.asyncProperty(submitInput.map(dryRunOnly), async (input) => {
        const response = await post<{
          submitJob: { __typename: string; problems?: Problem[]; message?: string };
        }>(endpoint, SUBMIT, { input });
        expectWellFormed(response, { input });
        const result = response.body!.data?.submitJob;
        if (!result) return;
        const context = `input: ${JSON.stringify(input).slice(0, 2_000)}\nresult: ${JSON.stringify(result)}`;
        expect(["SubmitJobSuccess", "ScoreInvalid"], context).toContain(result.__typename);
        if (result.__typename === "ScoreInvalid") {
          expect(result.message, context).toBeTruthy();
          expect(result.problems!.length, context).toBeGreaterThan(0);
          expectProblemsWellFormed(result.problems!, context);
        }
      }),
      { numRuns: RUNS },
    );
    await expectServerHealthy();
  });

  it("jobs, job and events answer random arguments with a page or a typed error", async () => {
    const operations = [
      { text: JOBS, variables: variablesFor(["first", "after", "status"]) },
      { text: EVENTS, variables: variablesFor(["jobId", "after", "first"]) },
      { text: JOB, variables: variablesFor(["id"]) },
      { text: VALIDATE, variables: variablesFor(["score"]) },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc
          .nat({ max: operations.length - 1 })
          .chain((index) => fc.tuple(fc.constant(index), operations[index]!.variables)),
        async ([index, variables]) => {
          const response = await post(endpoint, operations[index]!.text, variables);
          expectWellFormed(response, variables);
        },
      ),
      { numRuns: RUNS },
    );
    await expectServerHealthy();
  });

  it("survives hostile documents: alias bombs, deep nesting, huge sheet counts, oversize scores", async () => {
    const laughs = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ...Array.from({ length: 8 }, (_, level) => {
        const name = String.fromCharCode(98 + level);
        const previous = String.fromCharCode(97 + level);
        return `${name}: &${name} [${Array(9).fill(`*${previous}`).join(",")}]`;
      }),
      "name: laughs",
    ].join("\n");
    const hostile: Record<string, string> = {
      "billion laughs": laughs,
      "deep flow nesting": `name: deep\nsheet: ${"[".repeat(50_000)}${"]".repeat(50_000)}`,
      "deep block nesting": `name: deep\n${Array.from({ length: 1_000 }, (_, depth) => `${" ".repeat(depth)}k${depth}:`).join("\n")} 1`,
      "a billion sheets":
        "name: huge\ninstrument: cli\nsheet:\n  size: 1\n  total_items: 1000000000\nprompt:\n  template: echo hi",
      "a huge fan-out":
        "name: fan\ninstrument: cli\nsheet:\n  size: 1\n  total_items: 2\n  fan_out:\n    2: 100000000\nprompt:\n  template: echo hi",
      "over the size limit": `name: big\ndescription: "${"x".repeat(1024 * 1024)}"`,
      "many unknown keys": Array.from(
        { length: UNKNOWN_KEYS },
        (_, index) => `k${index}: ${index}`,
      ).join("\n"),
      "catastrophic regex":
        'name: re\ninstrument: cli\nsheet: {size: 1, total_items: 1}\nprompt: {template: "echo"}\nvalidations:\n  - {type: content_regex, path: "{workspace}/x", pattern: "(a+)+$"}',
    };
    const baseline = server.rssBytes()!;
    const timings: string[] = [];
    for (const [label, score] of Object.entries(hostile)) {
      const startedAt = Date.now();
      const pending = post<{ validateScore: { valid: boolean; problems: Problem[] } }>(
        endpoint,
        VALIDATE,
        { score },
      );
      // How long another client waits while this document is checked (reported, not asserted).
      await sleep(100);
      const bystanderStartedAt = Date.now();
      const bystander = await post(endpoint, "{ health { ok } }").then(
        (response) => response.text,
        (error: unknown) => `failed: ${String(error)} (${String((error as Error).cause)})`,
      );
      const bystanderMs = Date.now() - bystanderStartedAt;
      expect(bystander, `a health query while "${label}" was checked`).toBe(
        '{"data":{"health":{"ok":true}}}',
      );
      const validation = await pending;
      expectWellFormed(validation, label);
      const submission = await post<{ submitJob: { __typename: string } }>(endpoint, SUBMIT, {
        input: { score, dryRun: true },
      });
      expectWellFormed(submission, label);
      // A hang guard, not a speed target: the answer must come while the client still waits.
      const elapsedMs = Date.now() - startedAt;
      expect(elapsedMs, `${label} took ${elapsedMs} ms`).toBeLessThan(50_000);
      timings.push(`${label} ${elapsedMs} ms (a health query meanwhile waited ${bystanderMs} ms)`);
      await expectServerHealthy();
    }
    console.log(`reliability hostile documents (validate + dry-run submit): ${timings.join(", ")}`);
    const growth = (server.rssBytes()! - baseline) / MB;
    expect(growth, "server RSS growth (MB) over the hostile documents").toBeLessThan(400);
  });
});
