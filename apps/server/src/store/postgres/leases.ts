/**
 * Job leases on PostgreSQL (docs/DESIGN.md §12). Each job that is not over is played by the one
 * process holding its lease row; the holder renews it with its heartbeat, and a lease left to
 * expire (the holder died or lost the database) is claimed by another process. Every claim bumps
 * the lease's token, and a commit is accepted only from the holder of the current token: the
 * check runs inside the commit's transaction, with the lease row share-locked, so a claim waits
 * for a commit in progress and every later commit of the old holder is refused.
 *
 * Times are the database's (`now()`), so processes on machines with different clocks agree on
 * when a lease expired.
 */
import type pg from "pg";
import { LeaseLostError, type ProcessRecord } from "../../contracts/cluster.ts";

export interface ProcessAnnouncement {
  name: string;
  host: string;
  pid: number;
  incarnation: string;
  capacity: number;
  /** null: takes any instrument it can run. */
  instruments: readonly string[] | null;
}

export class ProcessNameInUseError extends Error {
  constructor(
    readonly processName: string,
    readonly host: string,
    readonly pid: number,
  ) {
    super(
      `another Podium process named "${processName}" (pid ${pid} on ${host}) is alive on this ` +
        `database; give this one its own PODIUM_PROCESS_NAME`,
    );
    this.name = "ProcessNameInUseError";
  }
}

export interface ClaimedJob {
  jobId: string;
  token: number;
}

export interface LeaseOwner {
  owner: string;
  expired: boolean;
}

const TERMINAL = "ARRAY['completed','failed','cancelled']";

/** Jobs someone must play: not over, or over with on_success hooks still to run. */
const UNFINISHED = `(j.status <> ALL (${TERMINAL}) OR j."hooksPending")`;

/** The instruments a job's sheets name (its primary instruments). */
const NEEDS_OF = (jobRef: string) =>
  `ARRAY(SELECT DISTINCT s.instrument FROM "Sheet" s WHERE s."jobId" = ${jobRef} ORDER BY 1)`;

export class PgLeases {
  /** The token of every lease this process holds, by job. */
  private readonly held = new Map<string, number>();

  constructor(
    private readonly pool: pg.Pool,
    readonly owner: string,
    readonly ttlMs: number,
  ) {}

  holds(jobId: string): boolean {
    return this.held.has(jobId);
  }

  heldJobIds(): string[] {
    return [...this.held.keys()];
  }

  get heldCount(): number {
    return this.held.size;
  }

  /**
   * Writes this process's row. A row of the same name whose heartbeat is recent belongs to a
   * live process unless it ran on this host under a pid that is gone (this process restarting).
   */
  async announce(process: ProcessAnnouncement, isAlive: (pid: number) => boolean): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const existing = await client.query<{ host: string; pid: number; fresh: boolean }>(
        `SELECT host, pid, "heartbeatAt" > now() - make_interval(secs => $2::float8 / 1000) AS fresh
         FROM "PodiumProcess" WHERE name = $1 FOR UPDATE`,
        [process.name, this.ttlMs],
      );
      const row = existing.rows[0];
      if (row?.fresh && (row.host !== process.host || isAlive(row.pid)) && row.pid !== process.pid)
        throw new ProcessNameInUseError(process.name, row.host, row.pid);
      await client.query(
        `INSERT INTO "PodiumProcess"
           (name, host, pid, incarnation, capacity, instruments, "anyInstrument", "runningSheets",
            "startedAt", "heartbeatAt")
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, now(), now())
         ON CONFLICT (name) DO UPDATE SET host = $2, pid = $3, incarnation = $4, capacity = $5,
           instruments = $6, "anyInstrument" = $7, "runningSheets" = 0, "startedAt" = now(),
           "heartbeatAt" = now()`,
        [
          process.name,
          process.host,
          process.pid,
          process.incarnation,
          process.capacity,
          process.instruments ?? [],
          process.instruments === null,
        ],
      );
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * The heartbeat: this process's row and every lease it holds are renewed in one statement.
   * Returns the jobs whose lease another process holds now (they must be forgotten here).
   */
  async heartbeat(runningSheets: number): Promise<string[]> {
    // Only leases held before the statement was sent can be judged by its answer: one claimed
    // or created meanwhile may be missing from it without being lost.
    const sent = new Map(this.held);
    const renewed = await this.pool.query<{ jobId: string; token: string }>(
      `WITH beat AS (
         UPDATE "PodiumProcess" SET "heartbeatAt" = now(), "runningSheets" = $3 WHERE name = $1
       )
       UPDATE "JobLease" SET "expiresAt" = now() + make_interval(secs => $2::float8 / 1000)
       WHERE owner = $1 RETURNING "jobId", token`,
      [this.owner, this.ttlMs, runningSheets],
    );
    const current = new Map(renewed.rows.map((row) => [row.jobId, Number(row.token)]));
    const lost: string[] = [];
    for (const [jobId, token] of sent) {
      if (current.get(jobId) !== token && this.held.get(jobId) === token) {
        lost.push(jobId);
        this.held.delete(jobId);
      }
    }
    return lost;
  }

  /**
   * Inside a commit's transaction: throws LeaseLostError naming every job of `jobIds` whose
   * current lease is not the one this process holds. The rows stay share-locked until the
   * commit ends, so no claim can slip in between the check and the commit.
   */
  async fence(client: pg.ClientBase, jobIds: readonly string[]): Promise<void> {
    if (jobIds.length === 0) return;
    const rows = await client.query<{ jobId: string; owner: string; token: string }>(
      `SELECT "jobId", owner, token FROM "JobLease" WHERE "jobId" = ANY($1::text[]) FOR SHARE`,
      [jobIds],
    );
    const current = new Map(rows.rows.map((row) => [row.jobId, row]));
    const lost = jobIds.filter((jobId) => {
      const row = current.get(jobId);
      const token = this.held.get(jobId);
      return row === undefined || row.owner !== this.owner || Number(row.token) !== token;
    });
    if (lost.length > 0) {
      for (const jobId of lost) this.held.delete(jobId);
      throw new LeaseLostError(lost);
    }
  }

  /**
   * Inside the commit that creates them (after their sheets): leases of new jobs. They count as
   * held once that commit is done (`holdNew`): a heartbeat cannot see them before.
   */
  async leaseNew(client: pg.ClientBase, jobIds: readonly string[]): Promise<void> {
    if (jobIds.length === 0) return;
    await client.query(
      `INSERT INTO "JobLease" ("jobId", owner, token, "expiresAt", needs)
       SELECT id, $2, 1, now() + make_interval(secs => $3::float8 / 1000), ${NEEDS_OF("id")}
       FROM unnest($1::text[]) AS id`,
      [jobIds, this.owner, this.ttlMs],
    );
  }

  holdNew(jobIds: readonly string[]): void {
    for (const jobId of jobIds) this.held.set(jobId, 1);
  }

  /**
   * Claims one job for this process when nobody else holds a live lease on it (a command about
   * it arrived here, or its holder is gone). Returns false when another process holds it.
   */
  async claim(jobId: string): Promise<boolean> {
    const claimed = await this.pool.query<{ token: string }>(
      `INSERT INTO "JobLease" ("jobId", owner, token, "expiresAt", needs)
       VALUES ($1, $2, 1, now() + make_interval(secs => $3::float8 / 1000), ${NEEDS_OF("$1")})
       ON CONFLICT ("jobId") DO UPDATE SET owner = $2, token = "JobLease".token + 1,
         "expiresAt" = EXCLUDED."expiresAt"
       WHERE "JobLease"."expiresAt" < now() OR "JobLease".owner = $2
       RETURNING token`,
      [jobId, this.owner, this.ttlMs],
    );
    const row = claimed.rows[0];
    if (row === undefined) return false;
    this.held.set(jobId, Number(row.token));
    return true;
  }

  /**
   * Claims unfinished jobs nobody holds (expired leases, or none), oldest first, at most
   * `limit`, only those whose instruments are all in `instruments` (null: any). Jobs this
   * process's name still holds from before a restart come first.
   */
  async claimUnheld(limit: number, instruments: readonly string[] | null): Promise<ClaimedJob[]> {
    if (limit <= 0) return [];
    const candidates = await this.pool.query<{ id: string }>(
      `SELECT j.id FROM "Job" j LEFT JOIN "JobLease" l ON l."jobId" = j.id
       WHERE ${UNFINISHED}
         AND (l."jobId" IS NULL OR l."expiresAt" < now() OR l.owner = $1)
         AND j.id <> ALL ($2::text[])
         AND ($3::text[] IS NULL OR COALESCE(l.needs, ${NEEDS_OF("j.id")}) <@ $3::text[])
       ORDER BY (l.owner = $1) DESC NULLS LAST, j."submitOrder"
       LIMIT $4`,
      [this.owner, this.heldJobIds(), instruments, limit],
    );
    const claimed: ClaimedJob[] = [];
    for (const { id } of candidates.rows) {
      if (await this.claim(id)) claimed.push({ jobId: id, token: this.held.get(id)! });
    }
    return claimed;
  }

  /**
   * Stops counting on every lease held (self-fencing: renewals failed for too long); returns the
   * jobs. Their rows stay: if nobody claimed them meanwhile, this process claims them again.
   */
  forgetAll(): string[] {
    const jobIds = this.heldJobIds();
    this.held.clear();
    return jobIds;
  }

  /** Lets other processes claim these jobs at once (a graceful stop, or a job handed on). */
  async release(jobIds: readonly string[]): Promise<void> {
    if (jobIds.length === 0) return;
    await this.pool.query(
      `UPDATE "JobLease" SET "expiresAt" = now() - interval '1 second'
       WHERE owner = $1 AND "jobId" = ANY($2::text[])`,
      [this.owner, jobIds],
    );
    for (const jobId of jobIds) this.held.delete(jobId);
  }

  /** Drops the leases of this process's jobs that are over (hooks included). */
  async dropFinished(): Promise<string[]> {
    const dropped = await this.pool.query<{ jobId: string }>(
      `DELETE FROM "JobLease" l USING "Job" j
       WHERE l."jobId" = j.id AND l.owner = $1 AND NOT ${UNFINISHED}
       RETURNING l."jobId"`,
      [this.owner],
    );
    const ids = dropped.rows.map((row) => row.jobId);
    for (const jobId of ids) this.held.delete(jobId);
    return ids;
  }

  /** Stops being a member: this process's leases are released and its row removed. */
  async leave(): Promise<void> {
    await this.release(this.heldJobIds());
    await this.pool.query(`DELETE FROM "PodiumProcess" WHERE name = $1`, [this.owner]);
  }

  /** Jobs whose lease names this process, held here or not (what it played before a restart). */
  async ownedJobIds(): Promise<Set<string>> {
    const rows = await this.pool.query<{ jobId: string }>(
      `SELECT "jobId" FROM "JobLease" WHERE owner = $1`,
      [this.owner],
    );
    return new Set(rows.rows.map((row) => row.jobId));
  }

  async ownerOf(jobId: string): Promise<LeaseOwner | null> {
    const rows = await this.pool.query<{ owner: string; expired: boolean }>(
      `SELECT owner, "expiresAt" < now() AS expired FROM "JobLease" WHERE "jobId" = $1`,
      [jobId],
    );
    return rows.rows[0] ?? null;
  }

  /** The live holder of each unfinished job's lease. */
  async ownersOf(jobIds: readonly string[]): Promise<Map<string, string>> {
    if (jobIds.length === 0) return new Map();
    const rows = await this.pool.query<{ jobId: string; owner: string }>(
      `SELECT l."jobId", l.owner FROM "JobLease" l JOIN "Job" j ON j.id = l."jobId"
       WHERE l."jobId" = ANY($1::text[]) AND l."expiresAt" >= now() AND ${UNFINISHED}`,
      [jobIds],
    );
    return new Map(rows.rows.map((row) => [row.jobId, row.owner]));
  }

  async processes(): Promise<ProcessRecord[]> {
    const rows = await this.pool.query<{
      name: string;
      host: string;
      pid: number;
      capacity: number;
      instruments: string[] | null;
      anyInstrument: boolean;
      runningSheets: number;
      startedAt: Date;
      heartbeatAt: Date;
      alive: boolean;
      ownedJobs: string;
    }>(
      `SELECT p.*, p."heartbeatAt" > now() - make_interval(secs => $1::float8 / 1000) AS alive,
         (SELECT count(*) FROM "JobLease" l JOIN "Job" j ON j.id = l."jobId"
          WHERE l.owner = p.name AND l."expiresAt" >= now() AND ${UNFINISHED}) AS "ownedJobs"
       FROM "PodiumProcess" p ORDER BY alive DESC, p.name`,
      [this.ttlMs],
    );
    return rows.rows.map((row) => ({
      name: row.name,
      host: row.host,
      pid: row.pid,
      capacity: row.capacity,
      instruments: row.anyInstrument ? null : (row.instruments ?? []),
      runningSheets: row.runningSheets,
      ownedJobs: Number(row.ownedJobs),
      startedAt: row.startedAt.getTime(),
      heartbeatAt: row.heartbeatAt.getTime(),
      alive: row.alive,
    }));
  }
}
