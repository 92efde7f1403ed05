import { serverAudits } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  exampleScore,
  startGatewayHarness,
  submit,
  SUBMIT,
  type GatewayHarness,
} from "./harness.ts";

async function expectHealthy(harness: GatewayHarness): Promise<void> {
  const { status, body } = await harness.request<{ health: { ok: boolean } }>("{ health { ok } }");
  expect(status).toBe(200);
  expect(body.data!.health.ok).toBe(true);
}

describe("GraphQL over HTTP", () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  it("passes every MUST audit of the graphql-http server suite", async () => {
    const failures: string[] = [];
    for (const audit of serverAudits({ url: harness.server.url })) {
      const result = await audit.fn();
      if (audit.name.startsWith("MUST") && result.status !== "ok")
        failures.push(`${audit.name}: ${result.reason}`);
    }
    expect(failures).toEqual([]);
  });

  it("answers GET with a CSRF header, and refuses a GET without one", async () => {
    const url = `${harness.server.url}?query=${encodeURIComponent("{ health { ok } }")}`;
    const allowed = await fetch(url, {
      headers: { "x-graphql-yoga-csrf": "1", accept: "application/json" },
    });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ data: { health: { ok: true } } });
    const refused = await fetch(url, { headers: { accept: "application/json" } });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(await refused.json())).toContain("CSRF");
    await expectHealthy(harness);
  });

  it("serves GraphiQL at /graphql to a browser, self-contained and subscribing over WebSocket", async () => {
    const response = await fetch(harness.server.url, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<title>Podium GraphQL</title>");
    expect(html).toContain('"subscriptionsProtocol":"WS"');
    // Nothing is loaded from a CDN: the page must work on a machine without internet access.
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=["']?https?:/i);
  });

  it("streams a subscription over SSE", async () => {
    const jobId = await submit(harness, exampleScore("retry-then-pass"));
    const controller = new AbortController();
    const response = await fetch(harness.server.url, {
      method: "POST",
      signal: controller.signal,
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({
        query: "subscription ($jobId: ID) { sheetEvents(jobId: $jobId) { seq event } }",
        variables: { jobId },
      }),
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.getReader();
    let text = "";
    while (!text.includes('"event":"job.submitted"')) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    controller.abort();
    expect(text).toContain("event: next");
    expect(text).toContain('"event":"job.submitted"');
  });

  it("pages through jobs newest first with opaque cursors", async () => {
    const ids = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push(
        await submit(
          harness,
          `name: page-${i}\ninstrument: cli\nsheet: { size: 1, total_items: 1 }\nprompt: { template: "true" }\n`,
        ),
      );
    }
    const query =
      "query ($after: String) { jobs(first: 2, after: $after) { edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }";
    type Page = {
      jobs: {
        edges: { node: { id: string; name: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    };
    const first = (await harness.request<Page>(query)).body.data!.jobs;
    expect(first.edges.map((edge) => edge.node.name)).toEqual(["page-2", "page-1"]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await harness.request<Page>(query, { after: first.pageInfo.endCursor })).body
      .data!.jobs;
    expect(second.edges[0]!.node.name).toBe("page-0");
    const completed = await harness.request<{ jobs: { edges: unknown[] } }>(
      "{ jobs(status: [CANCELLED]) { edges { node { id } } } }",
    );
    expect(completed.body.data!.jobs.edges).toEqual([]);
  });
});

describe("bad input gets typed errors and leaves the server healthy", () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startGatewayHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  type SubmitResult = {
    submitJob: {
      __typename: string;
      message?: string;
      problems?: { path: string; message: string; line: number | null }[];
    };
  };

  it("malformed YAML -> ScoreInvalid with the line", async () => {
    const { body } = await harness.request<SubmitResult>(SUBMIT, {
      input: { score: "name: [unclosed\nsheet: {}\n" },
    });
    expect(body.data!.submitJob.__typename).toBe("ScoreInvalid");
    expect(body.data!.submitJob.problems![0]!.line).toBeGreaterThanOrEqual(1);
    await expectHealthy(harness);
  });

  it('a 2 MB score -> ScoreInvalid at path "" naming the size and the limit', async () => {
    const score = `name: big\n# ${"y".repeat(2 * 1024 * 1024)}\n`;
    const { status, body } = await harness.request<SubmitResult>(SUBMIT, { input: { score } });
    expect(status).toBe(200);
    const result = body.data!.submitJob;
    expect(result.__typename).toBe("ScoreInvalid");
    expect(result.problems).toEqual([
      {
        path: "",
        line: null,
        message: `score is ${Buffer.byteLength(score)} bytes; the limit is 1048576 bytes (1 MB)`,
      },
    ]);
    await expectHealthy(harness);
  });

  it("a deeply nested query -> QUERY_TOO_DEEP", async () => {
    const nested =
      "{ jobs { edges { node { sheets { attempts { validationDetails { a { b { c { d { e { f { g } } } } } } } } } } } } }";
    const { body } = await harness.request(nested);
    expect(body.data).toBeUndefined();
    expect(body.errors!.some((error) => error.extensions?.code === "QUERY_TOO_DEEP")).toBe(true);
    await expectHealthy(harness);
  });

  it("a document of thousands of nested selections is refused by the parser", async () => {
    const deep = `{ ${"jobs { ".repeat(20_000)}id${" }".repeat(20_000)} }`;
    const { body } = await harness.request(deep);
    expect(body.data).toBeUndefined();
    expect(body.errors![0]!.message).toMatch(/Document contains more th\w+ 2000 tokens/);
    await expectHealthy(harness);
  });

  it("a query too expensive to answer -> QUERY_TOO_COMPLEX", async () => {
    const costly =
      "{ jobs(first: 500) { edges { node { sheets { attempts { attemptNumber validationDetails { index type passed message } } } } } } }";
    const { body } = await harness.request(costly);
    expect(body.errors![0]!.extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX" });
    expect(body.data ?? null).toBeNull();
    await expectHealthy(harness);
  });

  it("a page over 500 or a foreign cursor -> BAD_USER_INPUT", async () => {
    const big = await harness.request("{ jobs(first: 501) { edges { cursor } } }");
    expect(big.body.errors![0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    expect(big.body.errors![0]!.message).toContain("500");
    const cursor = await harness.request('{ events(after: "not-a-cursor") { edges { cursor } } }');
    expect(cursor.body.errors![0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    await expectHealthy(harness);
  });

  it("commands on an unknown job -> NOT_FOUND; resolveFermata off a fermata -> INVALID_STATE", async () => {
    const missing = await harness.request('mutation { pauseJob(id: "no-such-job") { id } }');
    expect(missing.body.errors![0]).toMatchObject({ extensions: { code: "NOT_FOUND" } });
    const jobId = await submit(harness, exampleScore("retry-then-pass"));
    const wrongState = await harness.request(
      "mutation ($jobId: ID!) { resolveFermata(jobId: $jobId, sheetNum: 1, decision: SKIP) { num status } }",
      { jobId },
    );
    expect(wrongState.body.errors![0]).toMatchObject({ extensions: { code: "INVALID_STATE" } });
    const noSheet = await harness.request(
      "mutation ($jobId: ID!) { resolveFermata(jobId: $jobId, sheetNum: 99, decision: SKIP) { num } }",
      { jobId },
    );
    expect(noSheet.body.errors![0]).toMatchObject({ extensions: { code: "NOT_FOUND" } });
    await expectHealthy(harness);
  });

  it("pause, resume and cancel drive the conductor and return the job", async () => {
    const jobId = await submit(
      harness,
      'name: slow\ninstrument: cli\nsheet: { size: 1, total_items: 3 }\nprompt: { template: "sleep 5" }\n',
    );
    const paused = await harness.request<{
      pauseJob: { status: string; pauseReason: string; pauseReasons: string[] };
    }>("mutation ($id: ID!) { pauseJob(id: $id) { status pauseReason pauseReasons } }", {
      id: jobId,
    });
    expect(paused.body.data!.pauseJob).toEqual({
      status: "PAUSED",
      pauseReason: "user",
      pauseReasons: ["user"],
    });
    const twice = await harness.request("mutation ($id: ID!) { pauseJob(id: $id) { status } }", {
      id: jobId,
    });
    expect(twice.body.errors![0]).toMatchObject({ extensions: { code: "INVALID_STATE" } });
    const resumed = await harness.request<{ resumeJob: { status: string } }>(
      "mutation ($id: ID!) { resumeJob(id: $id) { status } }",
      { id: jobId },
    );
    expect(resumed.body.data!.resumeJob.status).toBe("RUNNING");
    const cancelled = await harness.request<{ cancelJob: { status: string } }>(
      "mutation ($id: ID!) { cancelJob(id: $id) { status } }",
      { id: jobId },
    );
    expect(cancelled.body.data!.cancelJob.status).toBe("CANCELLED");
    const cleared = await harness.request<{ clearRateLimit: number }>(
      "mutation { clearRateLimit }",
    );
    expect(cleared.body.data!.clearRateLimit).toBe(0);
  });
});
