/**
 * Applies prisma/postgresql/migrations/* at boot, without the Prisma CLI, under a PostgreSQL
 * advisory lock so that two processes booting at once never apply the same migration twice. It
 * keeps Prisma's bookkeeping table, so `prisma migrate status` agrees with it.
 */
import { createHash, randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { listMigrations, type MigrationOutcome } from "../migrate.ts";
import { ADVISORY_LOCK_NAMESPACE, MIGRATION_LOCK } from "./locks.ts";

export const POSTGRES_MIGRATIONS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../../prisma/postgresql/migrations",
);

const BOOKKEEPING_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export async function applyPostgresMigrations(
  client: pg.ClientBase,
  dir = POSTGRES_MIGRATIONS_DIR,
): Promise<MigrationOutcome> {
  await client.query("SELECT pg_advisory_lock($1, $2)", [ADVISORY_LOCK_NAMESPACE, MIGRATION_LOCK]);
  try {
    await client.query(BOOKKEEPING_TABLE);
    const done = new Set(
      (
        await client.query<{ migration_name: string }>(
          `SELECT migration_name FROM "_prisma_migrations"
           WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        )
      ).rows.map((row) => row.migration_name),
    );
    const outcome: MigrationOutcome = { applied: [], alreadyApplied: [] };
    for (const migration of listMigrations(dir)) {
      if (done.has(migration.name)) {
        outcome.alreadyApplied.push(migration.name);
        continue;
      }
      const checksum = createHash("sha256").update(migration.sql).digest("hex");
      const startedAt = new Date();
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations"
             (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, $4, 1)`,
          [randomUUID(), checksum, migration.name, startedAt],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`PostgreSQL migration ${migration.name} failed`, { cause: error });
      }
      outcome.applied.push(migration.name);
    }
    return outcome;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1, $2)", [
      ADVISORY_LOCK_NAMESPACE,
      MIGRATION_LOCK,
    ]);
  }
}
