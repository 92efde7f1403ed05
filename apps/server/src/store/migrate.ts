/**
 * Applies prisma/migrations/* to a SQLite file at boot, without the Prisma CLI, so that the
 * server and every test database start in milliseconds. It keeps Prisma's own bookkeeping table,
 * so `prisma migrate deploy` and `prisma migrate status` agree with it.
 */
import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type Database from "better-sqlite3";

export const MIGRATIONS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../prisma/migrations",
);

const BOOKKEEPING_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export interface MigrationOutcome {
  applied: string[];
  alreadyApplied: string[];
}

export function listMigrations(dir = MIGRATIONS_DIR): { name: string; sql: string }[] {
  if (!existsSync(dir)) throw new Error(`Migrations folder not found: ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, sql: readFileSync(path.join(dir, name, "migration.sql"), "utf8") }));
}

export function applyMigrations(db: Database.Database, dir = MIGRATIONS_DIR): MigrationOutcome {
  db.exec(BOOKKEEPING_TABLE);
  const done = new Set(
    db
      .prepare(
        `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      )
      .all()
      .map((row) => (row as { migration_name: string }).migration_name),
  );
  const outcome: MigrationOutcome = { applied: [], alreadyApplied: [] };
  const record = db.prepare(
    `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
     VALUES (?, ?, ?, ?, ?, 1)`,
  );
  for (const migration of listMigrations(dir)) {
    if (done.has(migration.name)) {
      outcome.alreadyApplied.push(migration.name);
      continue;
    }
    const checksum = createHash("sha256").update(migration.sql).digest("hex");
    const startedAt = new Date().toISOString();
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(randomUUID(), checksum, new Date().toISOString(), migration.name, startedAt);
    })();
    outcome.applied.push(migration.name);
  }
  return outcome;
}
