/**
 * Secrets in the server's environment never come back out. Sheets echo them to stdout and stderr,
 * fail with them in the error, print them from a validation command, cut them at the stored
 * tail's boundary, and carry them to the next sheet's prompt through a captured file. Then every
 * GraphQL answer, every event (read and subscribed), every stored row and, on SQLite, every byte
 * of its files are searched for the secret values, and for any long piece of them.
 */
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { post, readEventLog, waitForJob, wsClient, type Endpoint } from "./support/client.ts";
import { EventFollower } from "./support/follower.ts";
import { removeDataDir, startServerProcess, type ServerProcess } from "./support/server-process.ts";
import { readStoredRows } from "../support/stored.ts";

const SECRETS = {
  OPENAI_API_KEY: "sk-test-Zq8rT3vLm9Xw2Yp6Kd4Hs1Nb7Cf5Gj0A",
  PODIUM_TEST_SECRET_TOKEN: "podium-secret-7c1e5a9b3d2f8e6a4c0b",
};
/** Any run of this many characters of a secret counts as a leak. */
const PIECE = 12;
/** The stored tail's size (10 KB); output is padded so that a secret straddles its boundary. */
const TAIL_CHARS = 10 * 1024;

const SCORE = `name: secrets
instrument: cli
pause_between_sheets_seconds: 0
retry: {max_retries: 1, base_delay_seconds: 0.1}
sheet:
  size: 1
  total_items: 6
  dependencies:
    5: [4]
cross_sheet:
  auto_capture_stdout: true
  capture_files:
    - "{{ workspace }}/captured.txt"
prompt:
  template: |
    {% if sheet_num == 1 %}
    echo "key=$OPENAI_API_KEY token=$PODIUM_TEST_SECRET_TOKEN"
    echo "stderr key=$OPENAI_API_KEY token=$PODIUM_TEST_SECRET_TOKEN" >&2
    env | grep -E 'OPENAI|PODIUM_TEST'
    {% elif sheet_num == 2 %}
    echo "failing with $PODIUM_TEST_SECRET_TOKEN" >&2
    exit 3
    {% elif sheet_num == 3 %}
    printf '%s' "$PODIUM_TEST_SECRET_TOKEN"; head -c ${TAIL_CHARS - 10} /dev/zero | tr '\\0' 'x'; echo
    printf '%s' "$OPENAI_API_KEY" >&2; head -c ${TAIL_CHARS - 20} /dev/zero | tr '\\0' 'y' >&2
    {% elif sheet_num == 4 %}
    echo "captured $PODIUM_TEST_SECRET_TOKEN $OPENAI_API_KEY" > captured.txt
    {% elif sheet_num == 5 %}
    cat > /dev/null <<'PREVIOUS'
    {{ previous_files | tojson }} {{ previous_outputs | tojson }}
    PREVIOUS
    {% else %}
    echo "validation target" > out.txt
    {% endif %}
validations:
  - type: command_succeeds
    command: "echo validating $PODIUM_TEST_SECRET_TOKEN $OPENAI_API_KEY; false"
    sheet: 6
`;

const JOB_EVERYTHING = /* GraphQL */ `
  query Everything($id: ID!) {
    job(id: $id) {
      id
      status
      score
      errorMessage
      warnings
      sheets {
        num
        status
        errorCode
        errorMessage
        stdoutTail
        stderrTail
        prompt
        attempts {
          errorClass
          errorMessage
          stdoutTail
          stderrTail
          validationDetails {
            type
            description
            message
            passed
          }
        }
      }
    }
  }
`;

let server: ServerProcess;
let endpoint: Endpoint;

beforeAll(async () => {
  // Passed on explicitly: instrument processes get only the variables they are given.
  server = await startServerProcess({
    env: { ...SECRETS, PODIUM_PASS_ENV: Object.keys(SECRETS).join(",") },
  });
  endpoint = { url: server.url, wsUrl: server.wsUrl };
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
});

/** Where any secret, or any PIECE-long run of one, occurs in `text`. */
function leaksIn(text: string): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(SECRETS)) {
    for (let start = 0; start + PIECE <= value.length; start += 1) {
      const piece = value.slice(start, start + PIECE);
      const at = text.indexOf(piece);
      if (at >= 0) {
        found.push(`${name}[${start}..] near "${text.slice(Math.max(0, at - 40), at + 60)}"`);
        break;
      }
    }
  }
  return found;
}

describe("secrets from the environment", () => {
  it("appear in no stored tail, event or GraphQL response", async () => {
    const follower = new EventFollower(wsClient(endpoint), { after: null }).start();
    const submitted = await post<{ submitJob: { __typename: string; job: { id: string } } }>(
      endpoint,
      "mutation($input: SubmitJobInput!) { submitJob(input: $input) { __typename ... on SubmitJobSuccess { job { id } } } }",
      { input: { score: SCORE } },
    );
    const id = submitted.body!.data!.submitJob.job.id;
    const done = await waitForJob(endpoint, id, 120_000);
    // The sheets did what they were written to do, so the secrets really went through them.
    const statuses = done.sheets.map((sheet) => sheet.status);
    expect(statuses).toEqual([
      "COMPLETED",
      "FAILED",
      "COMPLETED",
      "COMPLETED",
      "COMPLETED",
      "FAILED",
    ]);

    const everything = await post(endpoint, JOB_EVERYTHING, { id });
    expect(everything.body?.errors ?? []).toEqual([]);
    expect(everything.text).toContain("[REDACTED]");
    const log = await readEventLog(endpoint);
    await follower.reach(log.at(-1)!.seq, 30_000);
    follower.stop();

    // Every place is searched before asserting, so that one run names every leak.
    const leaks: Record<string, string[]> = {
      "submitJob response": leaksIn(submitted.text),
      "job query": leaksIn(everything.text),
      "event log": leaksIn(JSON.stringify(log)),
      subscription: leaksIn(JSON.stringify(follower.received)),
    };
    // Every stored row, on either backend; on SQLite the raw files as well (freed pages and the
    // WAL keep what no row shows any more).
    leaks["stored rows"] = leaksIn(await readStoredRows(server.databaseUrl));
    for (const file of [server.dbPath, `${server.dbPath}-wal`]) {
      if (existsSync(file)) leaks[file] = leaksIn(readFileSync(file).toString("latin1"));
    }
    expect(
      Object.fromEntries(Object.entries(leaks).filter(([, found]) => found.length > 0)),
    ).toEqual({});
  });
});
