/**
 * Opens Podium's SQLite database: migrated, in WAL mode with a busy timeout, and exposed both as
 * a Prisma client (queries, reads) and as the single raw better-sqlite3 writer connection that
 * the checkpoint store commits through (DESIGN.md §7: one writer).
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../generated/prisma/client.ts";
import { applyMigrations, type MigrationOutcome } from "./migrate.ts";

export const BUSY_TIMEOUT_MS = 5_000;

export interface PodiumDatabase {
  /** For reads and queries. */
  prisma: PrismaClient;
  /** The one writer. */
  writer: Database.Database;
  filePath: string;
  migrations: MigrationOutcome;
  close(): Promise<void>;
}

/** `file:./data/podium.db` -> absolute path (relative paths resolve against `cwd`). */
export function sqlitePathFromUrl(url: string, cwd = process.cwd()): string {
  const raw = url.startsWith("file:") ? url.slice("file:".length) : url;
  if (raw === "" || raw === ":memory:") {
    throw new Error(`DATABASE_URL must name a file, got "${url}"`);
  }
  return path.resolve(cwd, raw);
}

export async function openDatabase(url: string): Promise<PodiumDatabase> {
  const filePath = sqlitePathFromUrl(url);
  mkdirSync(path.dirname(filePath), { recursive: true });
  const writer = new Database(filePath, { timeout: BUSY_TIMEOUT_MS });
  writer.pragma("journal_mode = WAL");
  writer.pragma("synchronous = NORMAL");
  writer.pragma("foreign_keys = ON");
  const migrations = applyMigrations(writer);
  const prisma = new PrismaClient({
    adapter: new PrismaBetterSQLite3({ url: `file:${filePath}`, timeout: BUSY_TIMEOUT_MS }),
  });
  await prisma.$connect();
  return {
    prisma,
    writer,
    filePath,
    migrations,
    async close() {
      await prisma.$disconnect();
      if (writer.open) writer.close();
    },
  };
}
