/**
 * Every implementation of the store contract, opened the way the contract suite needs: a fresh,
 * empty store per test, a second writer on the same database for the concurrency cases, and the
 * backend's Prisma client (same models on both) to check what was stored.
 */
import type { PodiumStore } from "../../../../apps/server/src/store/contract.ts";
import type { PrismaClient } from "../../../../apps/server/src/generated/prisma/client.ts";
import type { Redact } from "../../../../apps/server/src/secrets/redact.ts";
import { openStore } from "../../../../apps/server/src/store/open-store.ts";
import { openDatabase } from "../../../../apps/server/src/store/database.ts";
import { SqliteCheckpointStore } from "../../../../apps/server/src/store/checkpoint-store.ts";
import { openPostgresDatabase } from "../../../../apps/server/src/store/postgres/database.ts";
import { PostgresStore } from "../../../../apps/server/src/store/postgres/store.ts";
import {
  createPostgresDatabase,
  createSqliteFile,
  testPostgresUrl,
  type ThrowAwayDatabase,
} from "../../../support/databases.ts";

export interface OpenedSubject {
  store: PodiumStore;
  prisma: PrismaClient;
  /** Another writer (another process, as far as the database can tell) on the same data. */
  secondWriter(): Promise<{ store: PodiumStore; close(): Promise<void> }>;
  close(): Promise<void>;
}

export interface Backend {
  name: string;
  /** Null when it can run; otherwise why not (printed, and its cases are not run). */
  unavailable: string | null;
  /** Once per file. */
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** An empty store. */
  open(options?: { redact?: Redact }): Promise<OpenedSubject>;
}

function sqliteBackend(): Backend {
  const files: ReturnType<typeof createSqliteFile>[] = [];
  return {
    name: "SQLite",
    unavailable: null,
    async setUp() {},
    async tearDown() {
      for (const file of files.splice(0)) file.remove();
    },
    async open(options = {}) {
      const file = createSqliteFile("podium-contract-");
      files.push(file);
      const opened = await openStore(file.url, { redact: options.redact });
      return {
        store: opened.store,
        prisma: opened.db.prisma,
        async secondWriter() {
          const db = await openDatabase(file.url);
          const store = new SqliteCheckpointStore(db.writer, { redact: options.redact });
          return {
            store,
            async close() {
              await store.close();
              await db.close();
            },
          };
        },
        close: () => opened.close(),
      };
    },
  };
}

const EMPTY_TABLES = `TRUNCATE "Event", "Attempt", "Sheet", "Job" RESTART IDENTITY CASCADE;
  UPDATE "EventSeq" SET "last" = 0`;

function postgresBackend(): Backend {
  const serverUrl = testPostgresUrl();
  let database: ThrowAwayDatabase | null = null;
  return {
    name: "PostgreSQL",
    unavailable: serverUrl === null ? "PODIUM_TEST_POSTGRES_URL is unset" : null,
    async setUp() {
      // Set but unusable fails here, loudly: CI promised a server.
      database = await createPostgresDatabase(serverUrl!);
    },
    async tearDown() {
      await database?.drop();
      database = null;
    },
    async open(options = {}) {
      const url = database!.url;
      const opened = await openStore(url, { redact: options.redact });
      if (opened.db.kind !== "postgresql") throw new Error("expected PostgreSQL");
      await opened.db.pool.query(EMPTY_TABLES);
      return {
        store: opened.store,
        prisma: opened.db.prisma,
        async secondWriter() {
          const db = await openPostgresDatabase(url);
          const store = new PostgresStore(db, { redact: options.redact });
          return {
            store,
            async close() {
              await store.close();
              await db.close();
            },
          };
        },
        close: () => opened.close(),
      };
    },
  };
}

export function storeBackends(): Backend[] {
  return [sqliteBackend(), postgresBackend()];
}
