/**
 * Cross-sheet context did not follow SCORE-SCHEMA.md: skipped sheets were missing from
 * previous_outputs instead of "[SKIPPED]", long outputs kept their end instead of their head and
 * the truncation marker, capture_files were never collected in production (previous_files stayed
 * empty) nor rendered as Jinja, stakes/thinking_method were always "", and prelude/cadenza
 * injections were only warned about. A real server plays a score that records what each sheet saw.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseScore } from "../../apps/server/src/score/index.ts";
import { submitScore, waitForJob, type Endpoint } from "../reliability/support/client.ts";
import {
  removeDataDir,
  startServerProcess,
  type ServerProcess,
} from "../reliability/support/server-process.ts";

const SCORE = `name: context
instrument: cli
pause_between_sheets_seconds: 0
retry: {max_retries: 0}
sheet:
  size: 1
  total_items: 4
  skip_when_command:
    2: {command: "true"}
  prelude:
    - {file: "{{ workspace }}/shared-context.md", as: context}
  cadenzas:
    4:
      - {file: "skill-{{ sheet_num }}.md", as: skill}
      - {directory: "tools", as: tool}
cross_sheet:
  auto_capture_stdout: true
  max_output_chars: 10
  capture_files:
    - "{{ workspace }}/notes-{{ sheet_num - 1 }}.txt"
prompt:
  stakes: "the launch depends on it"
  thinking_method: "step by step"
  variables: {stakes: "overridden by prompt.stakes"}
  template: |
    {% if sheet_num == 1 %}
    echo 0123456789ABCDEFGHIJ
    echo "a note longer than ten characters" > notes-2.txt
    echo "shared context text" > shared-context.md
    echo "skill for sheet four" > skill-4.md
    mkdir -p tools && echo "a tool" > tools/t.md
    {% elif sheet_num == 3 %}
    cat > seen-3.json <<'JSON'
    {"outputs": {{ previous_outputs | tojson }}, "files": {{ previous_files | tojson }}}
    JSON
    {% else %}
    cat > seen-4.json <<'JSON'
    {"context": {{ injected_context | tojson }}, "skills": {{ injected_skills | tojson }}, "tools": {{ injected_tools | tojson }}, "stakes": {{ stakes | tojson }}, "thinking": {{ thinking_method | tojson }}}
    JSON
    {% endif %}
`;

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

describe("regression: cross-sheet context as SCORE-SCHEMA.md says", () => {
  it("prelude and cadenzas are acted on, not warned about", () => {
    const parsed = parseScore(SCORE);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.warnings.filter((w) => /prelude|cadenza/.test(w))).toEqual([]);
  });

  it("fills previous_outputs, previous_files, injections and stakes in production", async () => {
    const job = await submitScore(endpoint, SCORE);
    const done = await waitForJob(endpoint, job.id, 120_000);
    expect(done.sheets.map((sheet) => sheet.status)).toEqual([
      "COMPLETED",
      "SKIPPED",
      "COMPLETED",
      "COMPLETED",
    ]);
    const seen3 = JSON.parse(readFileSync(path.join(job.workspace, "seen-3.json"), "utf8"));
    expect(seen3.outputs).toEqual({ 1: "0123456789\n... [truncated]", 2: "[SKIPPED]" });
    expect(seen3.files).toEqual({
      [path.join(job.workspace, "notes-2.txt")]: "a note lon\n... [truncated]",
    });
    const seen4 = JSON.parse(readFileSync(path.join(job.workspace, "seen-4.json"), "utf8"));
    expect(seen4).toEqual({
      context: ["shared context text\n"],
      skills: ["skill for sheet four\n"],
      tools: ["a tool\n"],
      stakes: "the launch depends on it",
      thinking: "step by step",
    });
  });
});
