/**
 * Query analysis cannot be made to hang the server or read without bound: a short document whose
 * fragments each spread the next twice (2^40 copies if expanded), twenty aliased copies of the
 * schema's introspection, and a job's 600 sheets asked for with a costly selection are
 * each answered at once with QUERY_TOO_COMPLEX, while another client's `{ __typename }` is
 * answered alongside and afterwards.
 */
import { getIntrospectionQuery, Lexer, Source, TokenKind } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { post, query, submitScore, waitForJob, type Endpoint } from "./support/client.ts";
import { counterScore } from "./support/scores.ts";
import { removeDataDir, startServerProcess, type ServerProcess } from "./support/server-process.ts";

let server: ServerProcess;
let endpoint: Endpoint;

beforeAll(async () => {
  server = await startServerProcess();
  endpoint = { url: server.url, wsUrl: server.wsUrl };
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
});

function tokenCount(document: string): number {
  const lexer = new Lexer(new Source(document));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count += 1;
  return count;
}

/** Sends `attack` and, at the same time, a trivial query from another client. */
async function attackBesideProbe(attack: string) {
  const [answer, probe] = await Promise.all([
    post(endpoint, attack),
    post(endpoint, "{ __typename }"),
  ]);
  expect(probe.body?.data).toEqual({ __typename: "Query" });
  return answer;
}

function expectTooComplex(answer: Awaited<ReturnType<typeof post>>): void {
  expect(answer.body?.data ?? null).toBeNull();
  expect(answer.body?.errors?.map((error) => error.extensions?.code)).toContain(
    "QUERY_TOO_COMPLEX",
  );
}

describe("query cost", () => {
  it("prices fragments that each spread the next twice without expanding them", async () => {
    const fragments = ["fragment F0 on Query { __typename }"];
    for (let i = 1; i <= 40; i += 1) {
      fragments.push(`fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`);
    }
    const attack = `{ ...F40 } ${fragments.join(" ")}`;
    expect(tokenCount(attack)).toBeLessThan(500);
    expectTooComplex(await attackBesideProbe(attack));
    expect((await query(endpoint, "{ health { ok } }")).health).toEqual({ ok: true });
  });

  it("costs introspection: many copies of the schema are refused, GraphiQL's query is not", async () => {
    // graphql-js already limits `fields { type { fields … } }` chains; aliases multiply instead.
    const typeRef = "type { kind name ofType { kind name } }";
    const copy = `__schema { types { name fields { name args { name ${typeRef} } ${typeRef} } } }`;
    const copies = Array.from({ length: 20 }, (_, index) => `s${index}: ${copy}`).join(" ");
    const attack = `{ ${copies} }`;
    expect(tokenCount(attack)).toBeLessThan(2_000);
    expectTooComplex(await attackBesideProbe(attack));
    const schemaQuery = await post(endpoint, getIntrospectionQuery({ descriptions: true }));
    expect(schemaQuery.body?.errors).toBeUndefined();
    expect(schemaQuery.body?.data).toHaveProperty("__schema.types");
  });

  it("costs a job's sheets by the job's sheet count", async () => {
    // 600 sheets, of which only the last runs: the first 599 are skipped as already done.
    const score = counterScore({ name: "many-sheets", sheets: 600, independent: true });
    const job = await submitScore(endpoint, score, { startSheet: 600 });
    await waitForJob(endpoint, job.id, 120_000);
    const light = await query<{ job: { sheets: { num: number }[] } }>(
      endpoint,
      "query ($id: ID!) { job(id: $id) { sheets { num } } }",
      { id: job.id },
    );
    expect(light.job.sheets).toHaveLength(600);

    // Within the estimate (which assumes 10 sheets), but 600 sheets times this selection is not.
    const costly = Array.from(
      { length: 16 },
      (_, index) => `a${index}: attempts { validationDetails { message } }`,
    ).join(" ");
    const answer = await attackBesideProbe(
      `{ job(id: ${JSON.stringify(job.id)}) { sheets { num ${costly} } } }`,
    );
    expect(answer.body?.data).toEqual({ job: null });
    expect(answer.body?.errors?.[0]?.extensions).toMatchObject({ code: "QUERY_TOO_COMPLEX" });
    expect(answer.body?.errors?.[0]?.message).toMatch(/600 items of Job\.sheets/);
  });
});
