/**
 * Commands for another process (docs/DESIGN.md §12), carried by the database: a row per command,
 * taken by its target, answered in the same row. A NOTIFY on each side wakes the other at once;
 * the row is the truth, so a lost notification only delays the answer until the next poll.
 */
import type pg from "pg";

export const COMMANDS_CHANNEL = "podium_commands";
export const REPLIES_CHANNEL = "podium_replies";

export interface QueuedCommand {
  id: number;
  kind: string;
  payload: string;
}

export type CommandState =
  { status: "pending" | "running" | "abandoned" } | { status: "done"; result: string };

export class PgCommandQueue {
  constructor(
    private readonly pool: pg.Pool,
    readonly self: string,
  ) {}

  /** Queues a command for `target` and wakes it. */
  async send(target: string, kind: string, payload: string): Promise<number> {
    const sent = await this.pool.query<{ id: string }>(
      `WITH queued AS (
         INSERT INTO "ClusterCommand" (target, kind, payload) VALUES ($1, $2, $3) RETURNING id
       )
       SELECT id, pg_notify('${COMMANDS_CHANNEL}', $1) FROM queued`,
      [target, kind, payload],
    );
    return Number(sent.rows[0]!.id);
  }

  /** The commands waiting for this process, marked as being run (no other taker sees them). */
  async take(limit = 50): Promise<QueuedCommand[]> {
    const taken = await this.pool.query<{ id: string; kind: string; payload: string }>(
      `UPDATE "ClusterCommand" SET status = 'running'
       WHERE id IN (
         SELECT id FROM "ClusterCommand" WHERE target = $1 AND status = 'pending'
         ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       RETURNING id, kind, payload`,
      [this.self, limit],
    );
    return taken.rows
      .map((row) => ({ id: Number(row.id), kind: row.kind, payload: row.payload }))
      .sort((a, b) => a.id - b.id);
  }

  /** Stores the answer and wakes the sender. */
  async answer(id: number, result: string): Promise<void> {
    await this.pool.query(
      `WITH answered AS (
         UPDATE "ClusterCommand" SET status = 'done', result = $2, "finishedAt" = now()
         WHERE id = $1 RETURNING id
       )
       SELECT pg_notify('${REPLIES_CHANNEL}', id::text) FROM answered`,
      [id, result],
    );
  }

  async state(id: number): Promise<CommandState | null> {
    const rows = await this.pool.query<{ status: string; result: string | null }>(
      `SELECT status, result FROM "ClusterCommand" WHERE id = $1`,
      [id],
    );
    const row = rows.rows[0];
    if (row === undefined) return null;
    if (row.status === "done") return { status: "done", result: row.result ?? "null" };
    return { status: row.status as "pending" | "running" | "abandoned" };
  }

  /** Withdraws a command nobody took yet; false when its target is already running it. */
  async abandon(id: number): Promise<boolean> {
    const withdrawn = await this.pool.query(
      `UPDATE "ClusterCommand" SET status = 'abandoned', "finishedAt" = now()
       WHERE id = $1 AND status = 'pending'`,
      [id],
    );
    return (withdrawn.rowCount ?? 0) > 0;
  }

  /** Forgets answered and withdrawn commands older than an hour. */
  async prune(): Promise<void> {
    await this.pool.query(
      `DELETE FROM "ClusterCommand"
       WHERE "finishedAt" < now() - interval '1 hour' OR "createdAt" < now() - interval '1 day'`,
    );
  }
}
