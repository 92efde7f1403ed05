/**
 * DATABASE_URL -> the store behind it (DESIGN.md §7): `file:` or a plain path is the embedded
 * SQLite database (guarded by its lock file), `postgres://` / `postgresql://` a PostgreSQL server
 * (guarded by a session advisory lock). Anything else is refused before anything is touched.
 */
import { acquireServerLock } from "../conductor/server-lock.ts";
import type { Redact } from "../secrets/redact.ts";
import { SqliteCheckpointStore } from "./checkpoint-store.ts";
import type { PodiumStore } from "./contract.ts";
import {
  openDatabase,
  sqlitePathFromUrl,
  type PodiumDatabase,
  type SqliteSynchronous,
} from "./database.ts";
import {
  openPostgresDatabase,
  redactDatabaseUrl,
  type PostgresDatabase,
} from "./postgres/database.ts";
import { PostgresStore } from "./postgres/store.ts";

export type DatabaseTarget =
  | { kind: "sqlite"; filePath: string }
  /** `identity`: the URL without its password (orphan tags and messages). */
  | { kind: "postgresql"; url: string; identity: string };

const POSTGRES_SCHEME = /^postgres(ql)?:\/\//i;

/** Which backend a DATABASE_URL names; throws UnsupportedDatabaseUrlError for anything else. */
export function databaseTarget(url: string, cwd = process.cwd()): DatabaseTarget {
  if (POSTGRES_SCHEME.test(url))
    return { kind: "postgresql", url, identity: redactDatabaseUrl(url) };
  return { kind: "sqlite", filePath: sqlitePathFromUrl(url, cwd) };
}

export interface OpenedStore {
  store: PodiumStore;
  db: PodiumDatabase | PostgresDatabase;
  /** What names this database in orphan tags: the SQLite file, or the URL without password. */
  identity: string;
  /** Closes the store, the database and releases the single-server lock. */
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  sqliteSynchronous?: SqliteSynchronous;
  redact?: Redact;
}

export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<OpenedStore> {
  const target = databaseTarget(url);
  if (target.kind === "postgresql") {
    const db = await openPostgresDatabase(target.url);
    const store = new PostgresStore(db, { redact: options.redact });
    return {
      store,
      db,
      identity: target.identity,
      async close() {
        await store.close();
        await db.close();
      },
    };
  }
  // Before anything is opened: a second server on this database must not touch it.
  const serverLock = acquireServerLock(target.filePath);
  let db: PodiumDatabase;
  try {
    db = await openDatabase(url, { synchronous: options.sqliteSynchronous });
  } catch (error) {
    serverLock.release();
    throw error;
  }
  const store = new SqliteCheckpointStore(db.writer, { redact: options.redact, prisma: db.prisma });
  return {
    store,
    db,
    identity: db.filePath,
    async close() {
      await store.close();
      await db.close();
      serverLock.release();
    },
  };
}
