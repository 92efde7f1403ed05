/**
 * What a database holds, read through the store contract on either backend. A server (or an
 * engine process a test kills) may be running on the database meanwhile: the observer takes
 * no lock (neither the SQLite server lock file nor a lease) and only reads.
 */
import type { PrismaClient } from "../../apps/server/src/generated/prisma/client.ts";
import type { PodiumStore } from "../../apps/server/src/store/contract.ts";
import { databaseTarget } from "../../apps/server/src/store/open-store.ts";
import { openDatabase } from "../../apps/server/src/store/database.ts";
import { SqliteCheckpointStore } from "../../apps/server/src/store/checkpoint-store.ts";
import { openPostgresDatabase } from "../../apps/server/src/store/postgres/database.ts";
import { PostgresStore } from "../../apps/server/src/store/postgres/store.ts";

export interface StoreObserver {
  store: PodiumStore;
  /** The backend's Prisma client, through the models both schemas share. */
  prisma: PrismaClient;
  close(): Promise<void>;
}

export async function observeStore(url: string): Promise<StoreObserver> {
  if (databaseTarget(url).kind === "postgresql") {
    const db = await openPostgresDatabase(url, { maxConnections: 2 });
    const store = new PostgresStore(db);
    return {
      store,
      prisma: db.prisma,
      async close() {
        await store.close();
        await db.close();
      },
    };
  }
  const db = await openDatabase(url);
  const store = new SqliteCheckpointStore(db.writer, { prisma: db.prisma });
  return {
    store,
    prisma: db.prisma,
    async close() {
      await store.close();
      await db.close();
    },
  };
}

/** Every stored job, sheet, attempt and event as one JSON text (for leak and size checks). */
export async function storedRowsText(prisma: PrismaClient): Promise<string> {
  const rows = [
    await prisma.job.findMany(),
    await prisma.sheet.findMany(),
    await prisma.attempt.findMany(),
    await prisma.event.findMany(),
  ];
  return JSON.stringify(rows, (_key, value: unknown) =>
    typeof value === "bigint" ? Number(value) : value,
  );
}

/** `storedRowsText` of the database at `url`, read while its server may be running. */
export async function readStoredRows(url: string): Promise<string> {
  const observer = await observeStore(url);
  try {
    return await storedRowsText(observer.prisma);
  } finally {
    await observer.close();
  }
}
