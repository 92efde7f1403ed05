/** `sheet` (§2), injection items (§2a), `prompt` (§3), `movements` (§15), `instruments` (§16). */
import { z } from "zod";
import { skipWhenCommandSchema } from "./execution.ts";
import { freeMap, int, intMap, list, oneOf, str, stringMap, withDefaults } from "./primitives.ts";

const INJECTION_CATEGORIES = ["context", "skill", "tool"] as const;

export const injectionItemSchema = z
  .strictObject({
    file: str().nullable().default(null),
    directory: str().nullable().default(null),
    as: oneOf(INJECTION_CATEGORIES).optional(),
    as_: oneOf(INJECTION_CATEGORIES).optional(),
  })
  .transform((item, ctx) => {
    if (item.as !== undefined && item.as_ !== undefined) {
      ctx.issues.push({
        code: "custom",
        message: "give either as or as_, not both",
        path: ["as_"],
        input: item,
      });
    }
    const category = item.as ?? item.as_;
    if (category === undefined) {
      ctx.issues.push({
        code: "custom",
        message: "as is required (context, skill or tool)",
        path: ["as"],
        input: item,
      });
    }
    const hasFile = !!item.file;
    const hasDirectory = !!item.directory;
    if (hasFile === hasDirectory) {
      ctx.issues.push({
        code: "custom",
        message: hasFile
          ? "give either file or directory, not both"
          : "one of file or directory is required",
        path: [],
        input: item,
      });
    }
    return { file: item.file, directory: item.directory, as: category ?? "context" };
  });

const nonEmptyName = str().min(1, { error: "must not be empty" });

export const sheetSchema = z
  .strictObject({
    size: int({ gte: 1 }),
    total_items: int({ gte: 1 }),
    start_item: int({ gte: 1 }).default(1),
    total_sheets: z.unknown().optional(),
    descriptions: intMap(str()).default(() => ({})),
    dependencies: intMap(list(int({ gte: 1 })), { minKey: 1 }).default(() => ({})),
    spec_tags: intMap(list(str())).default(() => ({})),
    skip_when: intMap(str()).default(() => ({})),
    prompt_extensions: intMap(list(str())).default(() => ({})),
    prelude: list(injectionItemSchema).default(() => []),
    cadenzas: intMap(list(injectionItemSchema)).default(() => ({})),
    skip_when_command: intMap(skipWhenCommandSchema).default(() => ({})),
    fan_out: intMap(int({ gte: 1 }), { minKey: 1 }).default(() => ({})),
    fan_out_stage_map: intMap(stringMap(int())).nullable().default(null),
    per_sheet_instruments: intMap(nonEmptyName, { minKey: 1 }).default(() => ({})),
    per_sheet_instrument_config: intMap(freeMap()).default(() => ({})),
    per_sheet_fallbacks: intMap(list(str()), { minKey: 1 }).default(() => ({})),
    instrument_map: stringMap(list(int({ gte: 1 }))).default(() => ({})),
  })
  .superRefine((sheet, ctx) => {
    for (const [key, deps] of Object.entries(sheet.dependencies)) {
      if (deps.includes(Number(key))) {
        ctx.addIssue({
          code: "custom",
          message: `sheet ${key} cannot depend on itself`,
          path: ["dependencies", key],
        });
      }
    }
    const owner = new Map<number, string>();
    for (const [name, sheets] of Object.entries(sheet.instrument_map)) {
      if (name.length === 0) {
        ctx.addIssue({
          code: "custom",
          message: "instrument name must not be empty",
          path: ["instrument_map", name],
        });
      }
      for (const num of sheets) {
        const previous = owner.get(num);
        if (previous !== undefined) {
          ctx.addIssue({
            code: "custom",
            message: `sheet ${num} is already mapped to instrument '${previous}'`,
            path: ["instrument_map", name],
          });
        } else owner.set(num, name);
      }
    }
    if (Object.keys(sheet.fan_out).length > 0) checkFanOut(sheet, ctx);
  })
  .transform(({ total_sheets: _computed, ...sheet }) => sheet);

function checkFanOut(
  sheet: {
    size: number;
    start_item: number;
    total_items: number;
    fan_out: Record<string, number>;
    dependencies: Record<string, number[]>;
  },
  ctx: z.RefinementCtx,
) {
  if (sheet.size !== 1) {
    ctx.addIssue({
      code: "custom",
      message: `must be 1 when fan_out is used (got ${sheet.size})`,
      path: ["size"],
    });
  }
  if (sheet.start_item !== 1) {
    ctx.addIssue({
      code: "custom",
      message: `must be 1 when fan_out is used (got ${sheet.start_item})`,
      path: ["start_item"],
    });
  }
  const stages = sheet.total_items;
  for (const key of Object.keys(sheet.fan_out)) {
    if (Number(key) > stages) {
      ctx.addIssue({
        code: "custom",
        message: `stage ${key} does not exist (total_items = ${stages} stages)`,
        path: ["fan_out", key],
      });
    }
  }
  for (const [key, deps] of Object.entries(sheet.dependencies)) {
    if (Number(key) > stages) {
      ctx.addIssue({
        code: "custom",
        message: `stage ${key} does not exist (total_items = ${stages} stages)`,
        path: ["dependencies", key],
      });
    }
    for (const dep of deps) {
      if (dep > stages) {
        ctx.addIssue({
          code: "custom",
          message: `stage ${dep} does not exist (total_items = ${stages} stages)`,
          path: ["dependencies", key],
        });
      }
    }
  }
}

export const promptSchema = z
  .strictObject({
    template: str().nullable().default(null),
    template_file: str().nullable().default(null),
    variables: stringMap(z.unknown()).default(() => ({})),
    stakes: str().nullable().default(null),
    thinking_method: str().nullable().default(null),
    prompt_extensions: list(str()).default(() => []),
  })
  .superRefine((prompt, ctx) => {
    if (prompt.template !== null && prompt.template_file !== null) {
      ctx.addIssue({
        code: "custom",
        message: "give either template or template_file, not both",
        path: ["template_file"],
      });
    }
  });

export const movementSchema = z.strictObject({
  name: str().nullable().default(null),
  instrument: nonEmptyName.nullable().default(null),
  instrument_config: freeMap().default(() => ({})),
  voices: int({ gte: 1 }).nullable().default(null),
  instrument_fallbacks: list(str()).default(() => []),
});

export const instrumentAliasSchema = z.strictObject({
  profile: nonEmptyName,
  config: freeMap().default(() => ({})),
});

export const sheetSections = {
  sheet: sheetSchema,
  prompt: promptSchema,
  movements: intMap(movementSchema, { minKey: 1 }).default(() => ({})),
  instruments: stringMap(instrumentAliasSchema).default(() => ({})),
  instrument: nonEmptyName.nullable().default(null),
  instrument_config: withDefaults(freeMap()),
  instrument_fallbacks: list(str()).default(() => []),
};
