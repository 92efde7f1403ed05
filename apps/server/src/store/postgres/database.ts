/**
 * Opens Podium's PostgreSQL database: reachable and authenticated (or a clear refusal), held by
 * shared by every Podium process using it (docs/DESIGN.md §12), migrated, and exposed
 * as a `pg` pool for the writer plus a Prisma client (adapter-pg) for reads.
 */
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma-postgresql/client.ts";
import type { PrismaClient as SharedModelsClient } from "../../generated/prisma/client.ts";
import type { MigrationOutcome } from "../migrate.ts";
import { applyPostgresMigrations } from "./migrate.ts";

/** The URL as it may be shown: the password replaced. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*):[^@/]*@/, "$1:***@");
}

/** PostgreSQL refused the connection, the login, or the database. */
export class DatabaseUnavailableError extends Error {
  constructor(
    readonly url: string,
    reason: string,
    readonly code: string | null,
  ) {
    super(`Podium cannot use the PostgreSQL database ${url}: ${reason}`);
    this.name = "DatabaseUnavailableError";
  }
}

/** Another server holds this PostgreSQL database (until several processes may share one). */
export interface PostgresDatabase {
  kind: "postgresql";
  pool: pg.Pool;
  /**
   * The same client seen through the models both schemas share (the read model, the gateway and
   * the metrics query it exactly as they query SQLite's).
   */
  prisma: SharedModelsClient;
  /** With what only PostgreSQL has (the EventSeq counter, Job.submitOrder). */
  prismaPostgres: PrismaClient;
  /** The URL without its password. */
  displayUrl: string;
  migrations: MigrationOutcome;
  close(): Promise<void>;
}

export interface OpenPostgresOptions {
  /** Pool size of the writer and readers (default 10). */
  maxConnections?: number;
}

function explain(error: unknown): { reason: string; code: string | null } {
  const code = (error as { code?: unknown } | null)?.code;
  const text = error instanceof Error ? error.message : String(error);
  const known: Record<string, string> = {
    ECONNREFUSED: "nothing accepts connections there (is PostgreSQL running?)",
    ENOTFOUND: "the host name does not resolve",
    ETIMEDOUT: "the connection timed out",
    "28P01": "the password was refused",
    "28000": "the login was refused",
    "3D000": "the database does not exist",
  };
  const reason = typeof code === "string" && known[code] ? `${known[code]} (${text})` : text;
  return { reason, code: typeof code === "string" ? code : null };
}

export async function openPostgresDatabase(
  url: string,
  options: OpenPostgresOptions = {},
): Promise<PostgresDatabase> {
  const displayUrl = redactDatabaseUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 10_000,
  });
  // Errors of idle clients (the server restarting) must not crash the process; the next query
  // on a fresh connection reports them.
  pool.on("error", () => undefined);
  let session: pg.PoolClient;
  try {
    session = await pool.connect();
  } catch (error) {
    await pool.end().catch(() => undefined);
    const { reason, code } = explain(error);
    throw new DatabaseUnavailableError(displayUrl, reason, code);
  }
  let migrations: MigrationOutcome;
  try {
    migrations = await applyPostgresMigrations(session);
  } catch (error) {
    session.release(true);
    await pool.end().catch(() => undefined);
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  await prisma.$connect();
  let closed = false;
  return {
    kind: "postgresql",
    pool,
    prisma: prisma as unknown as SharedModelsClient,
    prismaPostgres: prisma,
    displayUrl,
    migrations,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      session.release(true);
      await pool.end();
    },
  };
}
