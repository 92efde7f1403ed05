/**
 * fast-check arbitraries for hostile input: score documents built from the keys Podium really
 * reads (so that generated inputs get past the first check and reach deeper code) mixed with junk
 * values, junk keys and text-level damage; and junk GraphQL variables for every operation.
 */
import fc from "fast-check";

/** Any JSON-ish value a careless or malicious client might send. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    "",
    " ",
    "null",
    "~",
    "yes",
    "0x1F",
    "1e400",
    ".inf",
    "-.nan",
    "{{",
    "{% if %}",
    "\u0000",
    "💥",
  ),
  fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
);

const count = fc.oneof(
  fc.integer({ min: -2, max: 12 }),
  fc.constantFrom(0, 2 ** 31, 2 ** 53, 1e9, 1.5, -0),
);
const sheetKey = fc.integer({ min: -1, max: 14 }).map(String);

const sheet = fc.record(
  {
    size: fc.oneof(count, junk),
    total_items: fc.oneof(count, junk),
    start_item: fc.oneof(count, junk),
    dependencies: fc.oneof(
      fc.dictionary(sheetKey, fc.array(fc.integer({ min: -1, max: 14 }), { maxLength: 4 }), {
        maxKeys: 5,
      }),
      junk,
    ),
    fan_out: fc.oneof(fc.dictionary(sheetKey, count, { maxKeys: 3 }), junk),
    descriptions: fc.oneof(
      fc.dictionary(sheetKey, fc.string({ maxLength: 10 }), { maxKeys: 3 }),
      junk,
    ),
    skip_when_command: fc.oneof(
      fc.dictionary(sheetKey, fc.record({ command: fc.string({ maxLength: 10 }) }), { maxKeys: 2 }),
      junk,
    ),
    per_sheet_instruments: fc.oneof(
      fc.dictionary(sheetKey, fc.constantFrom("cli", "claude-code", "nope"), { maxKeys: 2 }),
      junk,
    ),
  },
  { requiredKeys: [] },
);

const template = fc.oneof(
  fc.constantFrom(
    "echo {{ sheet_num }}",
    "{{ sheet_num",
    "{% for x in %}",
    "{{ nope | nofilter }}",
    "{{ previous_outputs[999].x.y }}",
    "{% include '/etc/passwd' %}",
    "{{ range(10000000) | length }}",
    "{% raw %}",
    "{{ ''.constructor.constructor('return process')() }}",
  ),
  fc.string({ maxLength: 40 }),
);

const validation = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom(
        "file_exists",
        "file_modified",
        "content_contains",
        "content_regex",
        "command_succeeds",
        "nope",
      ),
      junk,
    ),
    path: fc.oneof(
      fc.constantFrom("{workspace}/out.txt", "{nope}/x", "../../etc/passwd"),
      fc.string({ maxLength: 10 }),
    ),
    pattern: fc.oneof(
      fc.constantFrom("(?i)ok", "(", "[a-", "(?P<n>x)(?P=n)", "a{2,1}", "(?<!x)y", "(a+)+$", "\\"),
      junk,
    ),
    pattern_flags: junk,
    command: fc.oneof(fc.constant("true"), junk),
    condition: fc.oneof(
      fc.constantFrom("sheet_num > 1", "sheet_num >>", "movement == 2", ""),
      junk,
    ),
    sheet: fc.oneof(count, junk),
  },
  { requiredKeys: [] },
);

const scoreObject = fc.record(
  {
    name: fc.oneof(fc.string({ maxLength: 20 }), junk),
    description: junk,
    workspace: fc.oneof(fc.constantFrom("ws", "./a/../b", ""), junk),
    instrument: fc.oneof(
      fc.constantFrom("cli", "claude-code", "codex-cli", "gemini-cli", "openai-compatible", "nope"),
      junk,
    ),
    instrument_config: fc.oneof(
      fc.record({ model: junk, timeout_seconds: fc.oneof(count, junk) }, { requiredKeys: [] }),
      junk,
    ),
    instrument_fallbacks: fc.oneof(
      fc.array(fc.constantFrom("cli", "nope", ""), { maxLength: 3 }),
      junk,
    ),
    instruments: fc.oneof(
      fc.dictionary(
        fc.string({ maxLength: 6 }),
        fc.record({ profile: fc.constantFrom("cli", "nope") }),
        { maxKeys: 2 },
      ),
      junk,
    ),
    movements: fc.oneof(
      fc.dictionary(sheetKey, fc.record({ name: junk, instrument: junk }, { requiredKeys: [] }), {
        maxKeys: 3,
      }),
      junk,
    ),
    backend: fc.oneof(
      fc.record({ type: junk, timeout_seconds: fc.oneof(count, junk) }, { requiredKeys: [] }),
      junk,
    ),
    sheet: fc.oneof(sheet, sheet, junk),
    prompt: fc.oneof(
      fc.record(
        {
          template,
          template_file: junk,
          variables: fc.dictionary(fc.string({ maxLength: 6 }), junk, { maxKeys: 3 }),
        },
        { requiredKeys: [] },
      ),
      junk,
    ),
    validations: fc.oneof(fc.array(validation, { maxLength: 3 }), junk),
    retry: fc.oneof(
      fc.record(
        {
          max_retries: fc.oneof(count, junk),
          base_delay_seconds: fc.oneof(fc.double(), junk),
          exponential_base: junk,
          max_completion_attempts: count,
        },
        { requiredKeys: [] },
      ),
      junk,
    ),
    parallel: fc.oneof(
      fc.record({ enabled: junk, max_concurrent: fc.oneof(count, junk) }, { requiredKeys: [] }),
      junk,
    ),
    rate_limit: junk,
    circuit_breaker: junk,
    cost_limits: fc.oneof(
      fc.record(
        { enabled: junk, max_cost_per_job: fc.oneof(fc.double(), junk) },
        { requiredKeys: [] },
      ),
      junk,
    ),
    cross_sheet: junk,
    stale_detection: junk,
    pause_between_sheets_seconds: fc.oneof(count, junk),
    on_success: junk,
    concert: junk,
  },
  { requiredKeys: [] },
);

/** A small block-style YAML emitter: keys plain when safe, scalars and lists as JSON (valid YAML). */
export function toBlockYaml(value: unknown, indent = 0): string {
  const pad = " ".repeat(indent);
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return `${pad}${JSON.stringify(value) ?? "null"}`;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return `${pad}{}`;
  return entries
    .map(([key, inner]) => {
      const plainKey = /^[A-Za-z_][A-Za-z0-9_]*$|^\d+$/.test(key) ? key : JSON.stringify(key);
      if (
        inner !== null &&
        typeof inner === "object" &&
        !Array.isArray(inner) &&
        Object.keys(inner).length > 0
      ) {
        return `${pad}${plainKey}:\n${toBlockYaml(inner, indent + 2)}`;
      }
      return `${pad}${plainKey}: ${JSON.stringify(inner) ?? "null"}`;
    })
    .join("\n");
}

const damage = fc.oneof(
  fc.constant((text: string) => text),
  fc.nat().map((at) => (text: string) => text.slice(0, at % (text.length + 1))),
  fc.tuple(fc.nat(), fc.string({ maxLength: 8 })).map(([at, insert]) => (text: string) => {
    const index = at % (text.length + 1);
    return text.slice(0, index) + insert + text.slice(index);
  }),
  fc.constantFrom(
    (text: string) => `${text}\n\t tabbed: [unclosed`,
    (text: string) => `%YAML 1.1\n---\n${text}\n...\n--- second document`,
    (text: string) => `${text}\nanchor: &a [1, 2]\nalias: *a\nmerge:\n  <<: *a`,
    (text: string) => `${text}\nname: duplicate`,
    (text: string) => `!!python/object:os.system ${JSON.stringify(text)}`,
    (text: string) =>
      `${text}\nbinary: !!binary aGVsbG8=\nnan: .nan\noctal: 0o17\nsexagesimal: 1:30`,
    (text: string) => text.replace(/\n/g, "\r\n"),
    (text: string) => `\uFEFF${text}`,
  ),
);

/** Score text: real keys and junk, as block YAML or JSON, sometimes damaged. */
export const scoreText: fc.Arbitrary<string> = fc
  .tuple(
    scoreObject,
    fc.dictionary(fc.string({ maxLength: 10 }), junk, { maxKeys: 2 }),
    fc.boolean(),
    damage,
  )
  .map(([known, extra, asJson, damageText]) => {
    const document = { ...known, ...extra };
    return damageText(asJson ? JSON.stringify(document) : toBlockYaml(document));
  });

/** Random values for an operation's variables: mostly the right names with wrong values. */
export function variablesFor(names: readonly string[]): fc.Arbitrary<unknown> {
  const value = fc.oneof(
    junk,
    fc.constantFrom("c2VxOi0x", "c2VxOjk5OTk5OTk5OTk5OTk5OTk5", "seq:1", "!!", "0", "-1"),
    fc.integer({ min: -10, max: 1000 }),
  );
  return fc.oneof(
    fc.record(Object.fromEntries(names.map((name) => [name, value])), { requiredKeys: [] }),
    fc.dictionary(fc.string({ maxLength: 6 }), value, { maxKeys: 3 }),
    junk,
  );
}

export const submitInput: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      score: fc.oneof(scoreText, junk),
      workspace: junk,
      idempotencyKey: junk,
      selfHealing: junk,
      escalation: junk,
      startSheet: fc.oneof(count, junk),
      dryRun: fc.oneof(fc.constant(true), junk),
      unknownField: junk,
    },
    { requiredKeys: [] },
  ),
  junk,
);
