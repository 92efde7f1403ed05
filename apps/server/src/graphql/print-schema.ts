/**
 * Prints the schema as SDL. `pnpm schema:print` writes apps/server/schema.graphql (committed);
 * a test fails when the committed file differs from `printSchemaSDL()`.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { lexicographicSortSchema, printSchema } from "graphql";
import { schema } from "./schema/index.ts";

export const SCHEMA_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../schema.graphql",
);

export function printSchemaSDL(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, printSchemaSDL());
  console.log(`schema written to ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}
