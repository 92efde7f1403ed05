/** Reads the key set a schema allows at a path, to suggest the key someone meant to write. */
import type { z } from "zod";

interface DefView {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
}

const defOf = (schema: z.ZodType) => schema._zod.def as unknown as DefView;

/** Skips defaults, nullables, preprocessing and transforms down to the schema that holds keys. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let depth = 0; depth < 20; depth++) {
    const def = defOf(current);
    if (def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in && def.out) {
      current = defOf(def.out).type === "transform" ? def.in : def.out;
    } else break;
  }
  return current;
}

export function allowedKeysAt(root: z.ZodType, path: readonly string[]): string[] | undefined {
  let current = unwrap(root);
  for (const key of path) {
    const def = defOf(current);
    const next = def.shape ? def.shape[key] : (def.element ?? def.valueType);
    if (!next) return undefined;
    current = unwrap(next);
  }
  const shape = defOf(current).shape;
  return shape ? Object.keys(shape) : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The allowed key closest to `key`, when it is close enough to be a likely typo. */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of allowed) {
    const distance = editDistance(key.toLowerCase(), name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  const tolerance = Math.max(2, Math.floor(key.length / 4));
  return best && best.distance <= tolerance ? best.name : undefined;
}
