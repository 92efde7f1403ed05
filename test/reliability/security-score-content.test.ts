/**
 * Hostile score content against a real server: template files and validated files that are a
 * FIFO or /dev/zero, template files outside the allowed roots (a file oracle), a template loop of
 * ten million steps, a template reaching for JavaScript, and a catastrophically backtracking
 * content_regex. Each gets its defined answer while another client keeps getting answers.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { query, submitScore, waitForJob, type Endpoint } from "./support/client.ts";
import { Heartbeat } from "./support/heartbeat.ts";
import { removeDataDir, startServerProcess, type ServerProcess } from "./support/server-process.ts";

const VALIDATE = /* GraphQL */ `
  query Validate($score: String!) {
    validateScore(score: $score) {
      valid
      problems {
        path
        message
      }
    }
  }
`;

interface Validation {
  valid: boolean;
  problems: { path: string; message: string }[];
}

let server: ServerProcess;
let endpoint: Endpoint;
let allowedRoot: string;
let heartbeat: Heartbeat;
const canary = path.join(tmpdir(), `podium-sandbox-canary-${process.pid}`);

beforeAll(async () => {
  allowedRoot = mkdtempSync(path.join(tmpdir(), "podium-allowed-root-"));
  server = await startServerProcess({ env: { PODIUM_ALLOWED_ROOTS: allowedRoot } });
  endpoint = { url: server.url, wsUrl: server.wsUrl };
  heartbeat = new Heartbeat(endpoint).start();
});

afterAll(async () => {
  const beat = await heartbeat?.stop();
  // Every attack ran while this client kept asking: none of its questions went unanswered.
  expect(beat?.misses ?? []).toEqual([]);
  expect(beat?.answered ?? 0).toBeGreaterThan(0);
  await server?.stop();
  if (server) removeDataDir(server.dataDir);
  rmSync(allowedRoot, { recursive: true, force: true });
  rmSync(canary, { force: true });
});

function withTemplateFile(file: string): string {
  return `name: t\ninstrument: cli\nsheet: {size: 1, total_items: 1}\nprompt:\n  template_file: ${JSON.stringify(file)}\n`;
}

async function validate(score: string): Promise<Validation> {
  return (await query<{ validateScore: Validation }>(endpoint, VALIDATE, { score })).validateScore;
}

function oneSheet(template: string, extra = ""): string {
  const body = template
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
  return `name: attack\ninstrument: cli\nretry: {max_retries: 0}\nsheet: {size: 1, total_items: 1}\nprompt:\n  template: |\n${body}\n${extra}`;
}

async function playOne(template: string, extra = "") {
  const job = await submitScore(endpoint, oneSheet(template, extra));
  const done = await waitForJob(endpoint, job.id, 120_000);
  return { done, sheet: done.sheets[0]!, workspace: job.workspace };
}

describe("template files", () => {
  it("a FIFO as template_file is refused at once, not read", async () => {
    const fifo = path.join(allowedRoot, "prompt.fifo");
    execFileSync("mkfifo", [fifo]);
    const answer = await validate(withTemplateFile(fifo));
    expect(answer.valid).toBe(false);
    expect(answer.problems[0]).toMatchObject({
      path: "prompt.template_file",
      message: expect.stringContaining("is not a regular file"),
    });
  });

  it("/dev/zero as template_file is refused (outside the roots, and not a regular file)", async () => {
    const link = path.join(allowedRoot, "zero.j2");
    symlinkSync("/dev/zero", link);
    for (const file of ["/dev/zero", link]) {
      const answer = await validate(withTemplateFile(file));
      expect(answer.valid, file).toBe(false);
      expect(answer.problems[0]!.message).toContain("not found or outside the allowed roots");
    }
  });

  it("answers the same for a missing path and a forbidden one: no file oracle", async () => {
    const strip = (answer: Validation, file: string) =>
      answer.problems.map((problem) => problem.message.replace(file, "<path>"));
    const forbidden = await validate(withTemplateFile("/etc/passwd"));
    const missing = await validate(withTemplateFile("/etc/no-such-file-here"));
    const forbiddenDir = await validate(withTemplateFile("/etc"));
    expect(forbidden.valid).toBe(false);
    expect(strip(forbidden, "/etc/passwd")).toEqual(strip(missing, "/etc/no-such-file-here"));
    expect(strip(forbiddenDir, "/etc")).toEqual(strip(missing, "/etc/no-such-file-here"));
    // The same holds on submit, and a file under an allowed root is read.
    const submitted = await query<{ submitJob: { __typename: string } }>(
      endpoint,
      "mutation($input: SubmitJobInput!) { submitJob(input: $input) { __typename } }",
      { input: { score: withTemplateFile("/etc/passwd") } },
    );
    expect(submitted.submitJob.__typename).toBe("ScoreInvalid");
    const allowed = path.join(allowedRoot, "ok.j2");
    writeFileSync(allowed, "echo {{ sheet_num }}\n");
    expect(await validate(withTemplateFile(allowed))).toMatchObject({ valid: true });
    const inDataDir = path.join(server.dataDir, "prompts", "ok.j2");
    mkdirSync(path.dirname(inDataDir), { recursive: true });
    writeFileSync(inDataDir, "echo data\n");
    expect(await validate(withTemplateFile(inDataDir))).toMatchObject({ valid: true });
  });
});

describe("validated files", () => {
  it("a FIFO and /dev/zero under validation fail the sheet without blocking", async () => {
    const { sheet } = await playOne(
      "mkfifo out.fifo\nln -s /dev/zero zero.txt\necho done",
      [
        "validations:",
        "  - {type: content_contains, path: out.fifo, pattern: x, retry_count: 0}",
        "  - {type: content_regex, path: zero.txt, pattern: x, retry_count: 0}",
      ].join("\n"),
    );
    expect(sheet.status).toBe("FAILED");
    expect(sheet.errorMessage).toContain("is not a regular file");
  });

  it("a backtracking content_regex over a long file ends with a plain no-match", async () => {
    const { sheet } = await playOne(
      "head -c 200000 /dev/zero | tr '\\0' 'a' > big.txt; echo '!' >> big.txt",
      "validations:\n  - {type: content_regex, path: big.txt, pattern: '^(a+)+$', retry_count: 0}\n",
    );
    expect(sheet.status).toBe("FAILED");
    expect(sheet.errorMessage).toContain("does not match");
  });
});

describe("templates", () => {
  it("a ten-million-step loop runs out of its budget and fails the sheet", async () => {
    const { sheet } = await playOne(
      "{% for i in range(100000) %}{% for j in range(100) %}{% endfor %}{% endfor %}echo never",
    );
    expect(sheet.status).toBe("FAILED");
    expect(sheet.errorMessage).toMatch(/template error in prompt\.template.*(fuel|did not finish)/);
  });

  it("a template reaching for JavaScript gets a template error, and nothing runs", async () => {
    const attempts = [
      `{{ range.constructor("require('fs').writeFileSync('${canary}', 'x')")() }}`,
      `{{ "".constructor.constructor("return process")().mainModule }}`,
    ];
    for (const attempt of attempts) {
      const { sheet } = await playOne(`echo safe\n${attempt}`);
      expect(sheet.status, attempt).toBe("FAILED");
      expect(sheet.errorMessage).toMatch(/template error in prompt\.template at line 2/);
    }
    expect(existsSync(canary)).toBe(false);
  });

  it("Jinja2 constructs that Marianne scores use play as written", async () => {
    const { sheet, workspace } = await playOne(
      [
        '{% set names = {2: "two", 3: "three"} %}',
        "{% macro say(word) %}echo {{ word | upper }} >> said.txt{% endmacro %}",
        "{{ say(names[sheet_num + 1]) }}",
        "{% for key, value in {'a': 1}.items() %}echo {{ key }}={{ value }} >> said.txt{% endfor %}",
      ].join("\n"),
    );
    expect(sheet.status).toBe("COMPLETED");
    expect(existsSync(path.join(workspace, "said.txt"))).toBe(true);
  });
});
