/**
 * YAML aliases cannot amplify: a ~100 KB score whose aliases would expand to ~100 MB is refused
 * by validateScore and submitJob with one short problem, nothing big is stored, and another
 * client keeps getting answers throughout.
 */
import { statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { post, type Endpoint } from "./support/client.ts";
import { Heartbeat } from "./support/heartbeat.ts";
import { removeDataDir, startServerProcess, type ServerProcess } from "./support/server-process.ts";
import { readStoredRows } from "../support/stored.ts";

const LEAF = "x".repeat(100_000);
const BOMBS = {
  "one string aliased 990 times": `name: bomb\nsheet: {size: 1, total_items: 1}\nprompt:\n  template: go\n  variables:\n    a: &a "${LEAF}"\n    b: [${Array(990).fill("*a").join(", ")}]\n`,
  "aliases landing where they are invalid": `a: &a "${LEAF.slice(0, 50_000)}"\nname: bomb\nsheet: {size: 1, total_items: 1}\nprompt: {template: go}\nvalidations: [${Array(900).fill("*a").join(", ")}]\n`,
};

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

/** What the stored rows hold, on either backend, plus SQLite's files (where they exist). */
async function storedBytes(): Promise<number> {
  let total = (await readStoredRows(server.databaseUrl)).length;
  for (const file of [server.dbPath, `${server.dbPath}-wal`]) {
    try {
      total += statSync(file).size;
    } catch {
      // not there yet
    }
  }
  return total;
}

describe("YAML alias bombs", () => {
  it.each(Object.entries(BOMBS))(
    "%s: a clear error, a small answer, nothing stored",
    async (_name, score) => {
      expect(score.length).toBeLessThan(110_000);
      const heartbeat = new Heartbeat(endpoint).start();
      const before = await storedBytes();
      const validated = await post<{
        validateScore: { valid: boolean; problems: { message: string }[] };
      }>(
        endpoint,
        "query($score: String!) { validateScore(score: $score) { valid problems { path message line } } }",
        { score },
      );
      expect(validated.body?.data?.validateScore.valid).toBe(false);
      expect(validated.text.length).toBeLessThan(200_000);
      const submitted = await post<{ submitJob: { __typename: string; message: string } }>(
        endpoint,
        "mutation($input: SubmitJobInput!) { submitJob(input: $input) { __typename ... on ScoreInvalid { message problems { message } } } }",
        { input: { score } },
      );
      expect(submitted.body?.data?.submitJob.__typename).toBe("ScoreInvalid");
      expect(submitted.text.length).toBeLessThan(200_000);
      expect((await storedBytes()) - before).toBeLessThan(1024 * 1024);
      expect((await heartbeat.stop()).misses).toEqual([]);
    },
  );

  it("names the expansion in the problem", async () => {
    const validated = await post<{ validateScore: { problems: { message: string }[] } }>(
      endpoint,
      "query($score: String!) { validateScore(score: $score) { problems { message } } }",
      { score: BOMBS["one string aliased 990 times"] },
    );
    expect(validated.body?.data?.validateScore.problems).toEqual([
      {
        message: expect.stringMatching(
          /expands to about \d+ KB once its YAML aliases are resolved/,
        ),
      },
    ]);
  });
});
