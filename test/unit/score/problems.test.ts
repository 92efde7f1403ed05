import { describe, expect, it } from "vitest";
import { parseScore } from "../../../apps/server/src/score/index.ts";
import { MAX_DESCRIBED_PROBLEMS } from "../../../apps/server/src/score/problems.ts";
import { parseInvalid } from "./support.ts";

const HEAD = "name: bad\nprompt:\n  template: go\n"; // lines 1-3

interface BadCase {
  title: string;
  yaml: string;
  path: string;
  line: number | undefined;
  message: RegExp;
}

const cases: BadCase[] = [
  {
    title: "YAML syntax error",
    yaml: "name: bad\nsheet: {size: 1\nprompt: x\n",
    path: "",
    line: 3,
    message: /YAML syntax error/,
  },
  {
    title: "a list at the root",
    yaml: "- a\n- b\n",
    path: "",
    line: 1,
    message: /must be a mapping.*got a list/,
  },
  {
    title: "a scalar at the root",
    yaml: "just words\n",
    path: "",
    line: 1,
    message: /got a string$/,
  },
  { title: "an empty document", yaml: "", path: "", line: 1, message: /got an empty document/ },
  {
    title: "missing sheet",
    yaml: HEAD,
    path: "sheet",
    line: 1,
    message: /required key is missing/,
  },
  {
    title: "unknown root key",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nbogus: 1\n`,
    path: "bogus",
    line: 5,
    message: /unknown key 'bogus'/,
  },
  {
    title: "unknown nested key",
    yaml: `${HEAD}sheet:\n  size: 1\n  total_items: 1\n  sise: 2\n`,
    path: "sheet.sise",
    line: 7,
    message: /unknown key 'sise' \(did you mean 'size'\?\)/,
  },
  {
    title: "YAML 1.1 boolean key `on:`",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\non: x\n`,
    path: "true",
    line: 5,
    message: /booleans: quote the key/,
  },
  {
    title: "root key that belongs to the conductor",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\npreflight: {}\n`,
    path: "preflight",
    line: 5,
    message: /conductor setting/,
  },
  {
    title: "wrong type",
    yaml: `${HEAD}sheet:\n  size: many\n  total_items: 1\n`,
    path: "sheet.size",
    line: 5,
    message: /expected an integer/,
  },
  {
    title: "number below its bound",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nretry:\n  max_retries: -1\n`,
    path: "retry.max_retries",
    line: 6,
    message: /must be ≥ 0/,
  },
  {
    title: "a scalar where a mapping is required",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nretry: fast\n`,
    path: "retry",
    line: 5,
    message: /^expected a mapping, got string "fast"$/,
  },
  {
    title: "null where an object is required",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nretry: null\n`,
    path: "retry",
    line: 5,
    message: /must not be null/,
  },
  {
    title: "unquoted date in a string field",
    yaml: `name: 2024-01-01\nprompt: {template: go}\nsheet: {size: 1, total_items: 1}\n`,
    path: "name",
    line: 1,
    message: /date/,
  },
  {
    title: "dependency on a sheet that does not exist",
    yaml: `${HEAD}sheet:\n  size: 1\n  total_items: 3\n  dependencies:\n    3: [7]\n`,
    path: "sheet.dependencies.3",
    line: 8,
    message: /^sheet 7 does not exist/,
  },
  {
    title: "dependency cycle",
    yaml: `${HEAD}sheet:\n  size: 1\n  total_items: 3\n  dependencies:\n    1: [3]\n    2: [1]\n    3: [2]\n`,
    path: "sheet.dependencies.1",
    line: 8,
    message: /dependency cycle: sheet 1 -> sheet 3 -> sheet 2 -> sheet 1/,
  },
  {
    title: "sheet depending on itself",
    yaml: `${HEAD}sheet:\n  size: 1\n  total_items: 3\n  dependencies:\n    2: [2]\n`,
    path: "sheet.dependencies.2",
    line: 8,
    message: /cannot depend on itself/,
  },
  {
    title: "fan-out with size > 1",
    yaml: `${HEAD}sheet:\n  size: 2\n  total_items: 3\n  fan_out: {2: 3}\n`,
    path: "sheet.size",
    line: 5,
    message: /must be 1 when fan_out is used/,
  },
  {
    title: "fan-out of a stage that does not exist",
    yaml: `${HEAD}sheet:\n  size: 1\n  total_items: 3\n  fan_out:\n    5: 2\n`,
    path: "sheet.fan_out.5",
    line: 8,
    message: /stage 5 does not exist/,
  },
  {
    title: "both template and template_file",
    yaml: "name: bad\nsheet: {size: 1, total_items: 1}\nprompt:\n  template: go\n  template_file: t.j2\n",
    path: "prompt.template_file",
    line: 5,
    message: /either template or template_file/,
  },
  {
    title: "cost limit enabled without a value",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\ncost_limits:\n  enabled: yes\n`,
    path: "cost_limits.enabled",
    line: 6,
    message: /neither max_cost_per_sheet nor max_cost_per_job/,
  },
  {
    title: "invalid regex in a content_regex validation",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nvalidations:\n  - type: content_regex\n    path: out.txt\n    pattern: "(?i)(unclosed"\n`,
    path: "validations.0.pattern",
    line: 8,
    message: /invalid regular expression/,
  },
  {
    title: "invalid rate-limit detection pattern",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nrate_limit:\n  detection_patterns: ["ok", "[broken"]\n`,
    path: "rate_limit.detection_patterns.1",
    line: 6,
    message: /invalid regular expression/,
  },
  {
    title: "validation missing its required field",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nvalidations:\n  - type: command_succeeds\n    command: "  "\n`,
    path: "validations.0.command",
    line: 7,
    message: /command is required for type command_succeeds/,
  },
  {
    title: "unknown validation type",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nvalidations:\n  - type: file_present\n    path: x\n`,
    path: "validations.0.type",
    line: 6,
    message: /expected one of: file_exists.*got string "file_present"/,
  },
  {
    title: "unknown instrument alias",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\ninstrument: speedy\n`,
    path: "instrument",
    line: 5,
    message: /unknown instrument 'speedy'/,
  },
  {
    title: "alias whose profile is unknown",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\ninstruments:\n  speedy:\n    profile: warp-drive\n`,
    path: "instruments.speedy.profile",
    line: 7,
    message: /unknown instrument 'warp-drive'/,
  },
  {
    title: "instrument together with a non-default backend type",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\ninstrument: claude-code\nbackend: {type: ollama}\n`,
    path: "instrument",
    line: 5,
    message: /cannot be combined with backend.type 'ollama'/,
  },
  {
    title: "retry base delay above max delay",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nretry: {base_delay_seconds: 10, max_delay_seconds: 5}\n`,
    path: "retry.base_delay_seconds",
    line: 5,
    message: /must be ≤ max_delay_seconds/,
  },
  {
    title: "stale check interval not below idle timeout",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nstale_detection:\n  idle_timeout_seconds: 30\n`,
    path: "stale_detection.check_interval_seconds",
    line: 5,
    message: /must be < idle_timeout_seconds/,
  },
  {
    title: "parallel budget_partition false",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nparallel:\n  budget_partition: false\n`,
    path: "parallel.budget_partition",
    line: 6,
    message: /not supported/,
  },
  {
    title: "on_success run_job without job_path",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\non_success:\n  - type: run_job\n`,
    path: "on_success.0.job_path",
    line: 6,
    message: /job_path is required/,
  },
  {
    title: "notification webhook without url",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nnotifications:\n  - type: webhook\n`,
    path: "notifications.0.config",
    line: 6,
    message: /needs config.url/,
  },
  {
    title: "logging format both without file_path",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nlogging: {format: both}\n`,
    path: "logging.file_path",
    line: 5,
    message: /needs file_path/,
  },
  {
    title: "ai_review min above target",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nai_review: {min_score: 90, target_score: 80}\n`,
    path: "ai_review.min_score",
    line: 5,
    message: /must be ≤ target_score/,
  },
  {
    title: "learning thresholds out of order",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nlearning: {min_confidence_threshold: 0.9}\n`,
    path: "learning.min_confidence_threshold",
    line: 5,
    message: /must be < high_confidence_threshold/,
  },
  {
    title: "exploration budget outside floor..ceiling",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nlearning:\n  exploration_budget: {initial_budget: 0.9}\n`,
    path: "learning.exploration_budget.initial_budget",
    line: 6,
    message: /within \[floor, ceiling\]/,
  },
  {
    title: "grounding enabled without hooks",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\ngrounding: {enabled: true}\n`,
    path: "grounding.hooks",
    line: 5,
    message: /no hooks/,
  },
  {
    title: "checkpoint trigger without a condition",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\ncheckpoints:\n  enabled: true\n  triggers:\n    - name: t\n`,
    path: "checkpoints.triggers.0",
    line: 8,
    message: /needs sheet_nums, prompt_contains or min_retry_count/,
  },
  {
    title: "injection item with both file and directory",
    yaml: `${HEAD}sheet:\n  size: 1\n  total_items: 1\n  prelude:\n    - {file: a.md, directory: docs, as: context}\n`,
    path: "sheet.prelude.0",
    line: 8,
    message: /either file or directory/,
  },
  {
    title: "injection item with both as and as_",
    yaml: `${HEAD}sheet:\n  size: 1\n  total_items: 1\n  prelude:\n    - {file: a.md, as: context, as_: skill}\n`,
    path: "sheet.prelude.0.as_",
    line: 8,
    message: /either as or as_/,
  },
  {
    title: "instrument_map listing a sheet twice",
    yaml: `${HEAD}sheet:\n  size: 1\n  total_items: 2\n  instrument_map:\n    cli: [1]\n    codex-cli: [1]\n`,
    path: "sheet.instrument_map.codex-cli",
    line: 9,
    message: /sheet 1 is already mapped to instrument 'cli'/,
  },
  {
    title: "movement key that is not an integer",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nmovements:\n  first: {name: x}\n`,
    path: "movements.first",
    line: 6,
    message: /not an integer/,
  },
  {
    title: "movement key 0",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nmovements:\n  0: {name: x}\n`,
    path: "movements.0",
    line: 6,
    message: /must be ≥ 1/,
  },
  {
    title: "MCP server setting a blocked variable",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nbridge:\n  mcp_servers:\n    - name: m\n      command: c\n      env: {path: /tmp}\n`,
    path: "bridge.mcp_servers.0.env.path",
    line: 9,
    message: /may not be set/,
  },
  {
    title: "bad isolation branch prefix",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nisolation: {branch_prefix: "1abc"}\n`,
    path: "isolation.branch_prefix",
    line: 5,
    message: /must start with a letter/,
  },
  {
    title: "empty preserve pattern",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nworkspace_lifecycle:\n  preserve_patterns: [""]\n`,
    path: "workspace_lifecycle.preserve_patterns.0",
    line: 6,
    message: /must not be empty/,
  },
  {
    title: "invalid feedback regex",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\nfeedback: {pattern: "(?P<x"}\n`,
    path: "feedback.pattern",
    line: 5,
    message: /invalid regular expression/,
  },
  {
    title: "Jinja syntax error in the template",
    yaml: "name: bad\nsheet: {size: 1, total_items: 1}\nprompt:\n  template: '{% if x %}never closed'\n",
    path: "prompt.template",
    line: 4,
    message: /template syntax error/,
  },
  {
    title: "string key in a string map given as a number",
    yaml: `${HEAD}sheet: {size: 1, total_items: 1}\ninstruments:\n  2024: {profile: cli}\n`,
    path: "instruments.2024",
    line: 6,
    message: /must be a string/,
  },
];

describe("bad scores", () => {
  it.each(cases)("$title -> $path", ({ yaml, path, line, message }) => {
    const result = parseInvalid(yaml);
    const match = result.problems.find((problem) => problem.path === path);
    expect(match, JSON.stringify(result.problems)).toBeDefined();
    expect(match!.message).toMatch(message);
    expect(match!.line).toBe(line);
    expect(result.message).toContain("the score is invalid");
  });

  it("collects every problem, not just the first", () => {
    const result = parseInvalid(
      `name: 5\nsheet:\n  size: 0\n  total_items: x\n  extra: 1\nprompt: {template: a, template_file: b}\nretry: {max_retries: -2}\n`,
    );
    expect(result.problems.map((problem) => [problem.path, problem.line])).toEqual(
      expect.arrayContaining([
        ["name", 1],
        ["sheet.size", 3],
        ["sheet.total_items", 4],
        ["sheet.extra", 5],
        ["prompt.template_file", 6],
        ["retry.max_retries", 7],
      ]),
    );
  });

  it("suggests the key meant, at any depth, and lists problems in document order", () => {
    const result = parseInvalid(
      "name: x\nsheet: {size: 1, total_items: 1}\nprompt: {template: a, varibles: {}}\nretrys: {}\n" +
        "movements: {1: {instrumnt: cli}}\nbackend: {ollama: {modle: x}}\nunrelated_thing: 1\n",
    );
    expect(result.problems).toEqual([
      {
        path: "prompt.varibles",
        message: "unknown key 'varibles' (did you mean 'variables'?)",
        line: 3,
      },
      { path: "retrys", message: "unknown key 'retrys' (did you mean 'retry'?)", line: 4 },
      {
        path: "movements.1.instrumnt",
        message: "unknown key 'instrumnt' (did you mean 'instrument'?)",
        line: 5,
      },
      {
        path: "backend.ollama.modle",
        message: "unknown key 'modle' (did you mean 'model'?)",
        line: 6,
      },
      { path: "unrelated_thing", message: "unknown key 'unrelated_thing'", line: 7 },
    ]);
  });

  it("reports instrument, template and dependency problems together", () => {
    const result = parseInvalid(
      "name: n\ninstrument: nope\nprompt: {template: '{{ unclosed'}\nsheet:\n  size: 1\n  total_items: 2\n  dependencies: {2: [9]}\n",
    );
    expect(result.problems.map((problem) => problem.path).sort()).toEqual([
      "instrument",
      "prompt.template",
      "sheet.dependencies.2",
    ]);
  });

  it("names the problem with its path and line in the summary message", () => {
    const result = parseScore(
      `${HEAD}sheet:\n  size: 1\n  total_items: 3\n  dependencies:\n    3: [7]\n`,
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.message).toContain(
        "sheet.dependencies.3: sheet 7 does not exist (the score has 3 sheets) (line 8)",
      );
  });
});

describe("a score with a flood of problems", () => {
  it("describes the first ones and counts the rest, quickly enough to stay an answer", () => {
    const junk = Array.from({ length: 5_000 }, (_, index) => `junk_key_${index}: 1`).join("\n");
    const result = parseScore(
      `name: flood\nsheet: {size: 1, total_items: 1}\nprompt: {template: go}\n${junk}\n`,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.length).toBe(MAX_DESCRIBED_PROBLEMS + 1);
    expect(result.problems.at(-1)!.message).toBe(
      `${5_000 - MAX_DESCRIBED_PROBLEMS} more problems not listed (only the first ${MAX_DESCRIBED_PROBLEMS} are described)`,
    );
    expect(result.problems[0]).toMatchObject({ path: "junk_key_0", line: 4 });
  });
});
