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
import { startWalCheckpointer } from "./wal-checkpointer.ts";

export const BUSY_TIMEOUT_MS = 5_000;
/**
 * The writer does not checkpoint the WAL inside commits (SQLite's default every 1000 pages puts
 * an fsync in the path of whichever commit crosses the line); a thread checkpoints instead.
 */
export const WAL_CHECKPOINT_INTERVAL_MS = 1_000;
/**
 * Once migrated, the writer waits only briefly for a lock held elsewhere: SQLite's busy wait
 * blocks the event loop, so the checkpoint store retries locked commits asynchronously instead.
 */
export const WRITER_BUSY_TIMEOUT_MS = 50;

/**
 * How hard SQLite pushes each commit to the disk (WAL mode). What a power loss or OS crash can
 * cost at each level is stated in the README; a process crash loses nothing at any level.
 */
export const SQLITE_SYNCHRONOUS_LEVELS = ["OFF", "NORMAL", "FULL", "EXTRA"] as const;
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS_LEVELS)[number];
export const DEFAULT_SQLITE_SYNCHRONOUS: SqliteSynchronous = "NORMAL";

export interface OpenDatabaseOptions {
  synchronous?: SqliteSynchronous;
}

export interface PodiumDatabase {
  kind: "sqlite";
  /** For reads and queries. */
  prisma: PrismaClient;
  /** The one writer. */
  writer: Database.Database;
  filePath: string;
  migrations: MigrationOutcome;
  close(): Promise<void>;
}

/** A DATABASE_URL Podium cannot use: neither a SQLite file nor a PostgreSQL server. */
export class UnsupportedDatabaseUrlError extends Error {
  constructor(readonly url: string) {
    super(
      `DATABASE_URL must be a SQLite file (file:./data/podium.db or a plain path) or a ` +
        `PostgreSQL URL (postgresql://user:password@host:5432/database); ` +
        `Podium does not support "${url.replace(/\/\/[^@/]*@/, "//***@")}"`,
    );
    this.name = "UnsupportedDatabaseUrlError";
  }
}

/** `file:./data/podium.db` -> absolute path (relative paths resolve against `cwd`). */
export function sqlitePathFromUrl(url: string, cwd = process.cwd()): string {
  // Any other scheme (mysql://, sqlite://…) would otherwise become a relative path; PostgreSQL
  // URLs are told apart before this (open-store.ts).
  if (!url.startsWith("file:") && /^[a-z][a-z0-9+.-]+:/i.test(url))
    throw new UnsupportedDatabaseUrlError(url);
  const raw = url.startsWith("file:") ? url.slice("file:".length) : url;
  if (raw === "" || raw === ":memory:") {
    throw new Error(`DATABASE_URL must name a file, got "${url}"`);
  }
  return path.resolve(cwd, raw);
}

export async function openDatabase(
  url: string,
  options: OpenDatabaseOptions = {},
): Promise<PodiumDatabase> {
  const synchronous = options.synchronous ?? DEFAULT_SQLITE_SYNCHRONOUS;
  if (!SQLITE_SYNCHRONOUS_LEVELS.includes(synchronous)) {
    throw new Error(`unknown SQLite synchronous level "${String(synchronous)}"`);
  }
  const filePath = sqlitePathFromUrl(url);
  mkdirSync(path.dirname(filePath), { recursive: true });
  const writer = new Database(filePath, { timeout: BUSY_TIMEOUT_MS });
  writer.pragma("journal_mode = WAL");
  writer.pragma(`synchronous = ${synchronous}`);
  writer.pragma("foreign_keys = ON");
  writer.pragma("wal_autocheckpoint = 0");
  const migrations = applyMigrations(writer);
  writer.pragma(`busy_timeout = ${WRITER_BUSY_TIMEOUT_MS}`);
  const checkpointer = startWalCheckpointer(writer, filePath, WAL_CHECKPOINT_INTERVAL_MS);
  const prisma = new PrismaClient({
    adapter: new PrismaBetterSQLite3({ url: `file:${filePath}`, timeout: BUSY_TIMEOUT_MS }),
  });
  await prisma.$connect();
  return {
    kind: "sqlite",
    prisma,
    writer,
    filePath,
    migrations,
    async close() {
      await checkpointer.stop();
      await prisma.$disconnect();
      if (writer.open) {
        try {
          writer.pragma("wal_checkpoint(TRUNCATE)");
        } catch {
          // Locked elsewhere; the WAL is checkpointed at the next open.
        }
        writer.close();
      }
    },
  };
}
