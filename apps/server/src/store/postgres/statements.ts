/**
 * The PostgreSQL writer's statements. Rows of one kind go in ONE statement (arrays unnested), so
 * a commit costs a handful of round trips whatever it carries. Event seqs come from the EventSeq
 * counter bumped in the same statement: the row lock serialises appenders for the length of
 * their transaction, so seq order is commit order (DESIGN.md §7).
 */
import type pg from "pg";
import type { AttemptRecord, JobRecord, SheetRecord } from "../../contracts/records.ts";
import type { EventDraft } from "../../contracts/event-log.ts";
import type { NewJob, ReplacedScore } from "../contract.ts";
import { CHANNELS } from "./notifier.ts";

type Column<Row> = readonly [name: string, type: string, value: (row: Row) => unknown];

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

const SHEET_COLUMNS: readonly Column<SheetRecord>[] = [
  ["jobId", "text", (s) => s.jobId],
  ["num", "int4", (s) => s.num],
  ["status", "text", (s) => s.status],
  ["movement", "int4", (s) => s.movement],
  ["voice", "int4", (s) => s.voice],
  ["voiceCount", "int4", (s) => s.voiceCount],
  ["description", "text", (s) => s.description],
  ["instrument", "text", (s) => s.instrument],
  ["instrumentChain", "text", (s) => JSON.stringify(s.instrumentChain)],
  ["instrumentIndex", "int4", (s) => s.instrumentIndex],
  ["model", "text", (s) => s.model],
  ["dependsOn", "text", (s) => JSON.stringify(s.dependsOn)],
  ["normalAttempts", "int4", (s) => s.normalAttempts],
  ["completionAttempts", "int4", (s) => s.completionAttempts],
  ["healingAttempts", "int4", (s) => s.healingAttempts],
  ["validationPassRate", "float8", (s) => s.validationPassRate],
  ["costUsd", "float8", (s) => s.costUsd],
  ["durationMs", "int4", (s) => s.durationMs],
  ["errorCode", "text", (s) => s.errorCode],
  ["errorMessage", "text", (s) => s.errorMessage],
  ["stdoutTail", "text", (s) => s.stdoutTail],
  ["stderrTail", "text", (s) => s.stderrTail],
  ["prompt", "text", (s) => s.prompt],
  ["dispatchToken", "text", (s) => s.dispatchToken],
  ["processGroup", "int4", (s) => s.processGroup],
  ["processStartedAt", "text", (s) => s.processStartedAt],
  ["startedAt", "timestamptz", (s) => iso(s.startedAt)],
  ["completedAt", "timestamptz", (s) => iso(s.completedAt)],
  ["dueAt", "timestamptz", (s) => iso(s.dueAt)],
];

const ATTEMPT_COLUMNS: readonly Column<AttemptRecord>[] = [
  ["jobId", "text", (a) => a.jobId],
  ["sheetNum", "int4", (a) => a.sheetNum],
  ["attemptNumber", "int4", (a) => a.attemptNumber],
  ["mode", "text", (a) => a.mode],
  ["instrument", "text", (a) => a.instrument],
  ["model", "text", (a) => a.model],
  ["dispatchToken", "text", (a) => a.dispatchToken],
  ["executionSuccess", "bool", (a) => a.executionSuccess],
  ["exitCode", "int4", (a) => a.exitCode],
  ["durationMs", "int4", (a) => a.durationMs],
  ["validationsPassed", "int4", (a) => a.validationsPassed],
  ["validationsTotal", "int4", (a) => a.validationsTotal],
  ["passRate", "float8", (a) => a.passRate],
  ["validationDetails", "text", (a) => JSON.stringify(a.validationDetails)],
  ["errorClass", "text", (a) => a.errorClass],
  ["errorMessage", "text", (a) => a.errorMessage],
  ["rateLimited", "bool", (a) => a.rateLimited],
  ["costUsd", "float8", (a) => a.costUsd],
  ["inputTokens", "int4", (a) => a.inputTokens],
  ["outputTokens", "int4", (a) => a.outputTokens],
  ["stdoutTail", "text", (a) => a.stdoutTail],
  ["stderrTail", "text", (a) => a.stderrTail],
  ["startedAt", "timestamptz", (a) => iso(a.startedAt)],
  ["finishedAt", "timestamptz", (a) => iso(a.finishedAt)],
];

const EVENT_COLUMNS: readonly Column<EventDraft>[] = [
  ["jobId", "text", (e) => e.jobId],
  ["sheetNum", "int4", (e) => e.sheetNum],
  ["name", "text", (e) => e.event],
  ["data", "text", (e) => JSON.stringify(e.data)],
  ["timestamp", "timestamptz", (e) => iso(e.timestamp)],
];

const quoted = (columns: readonly Column<never>[]) => columns.map(([n]) => `"${n}"`).join(", ");
const unnested = <Row>(columns: readonly Column<Row>[], offset = 0) =>
  columns.map(([, type], i) => `$${i + 1 + offset}::${type}[]`).join(", ");
const arrays = <Row>(columns: readonly Column<Row>[], rows: readonly Row[]) =>
  columns.map(([, , value]) => rows.map(value));

/** Statuses in which a musician may be playing; only then can a record bring a process group. */
const PLAYING_SQL = `('dispatched','in_progress')`;

const SHEET_UPDATABLE = SHEET_COLUMNS.map(([n]) => n).filter(
  (n) => n !== "jobId" && n !== "num" && n !== "processGroup" && n !== "processStartedAt",
);

const UPSERT_SHEETS = `INSERT INTO "Sheet" (${quoted(SHEET_COLUMNS)}, "updatedAt")
  SELECT *, $${SHEET_COLUMNS.length + 1}::timestamptz FROM unnest(${unnested(SHEET_COLUMNS)})
  ON CONFLICT ("jobId", "num") DO UPDATE SET
    ${SHEET_UPDATABLE.map((c) => `"${c}" = excluded."${c}"`).join(", ")},
    "updatedAt" = excluded."updatedAt",
    "processGroup" = CASE WHEN excluded."status" IN ${PLAYING_SQL} AND excluded."processGroup" IS NOT NULL
      THEN excluded."processGroup" ELSE "Sheet"."processGroup" END,
    "processStartedAt" = CASE WHEN excluded."status" IN ${PLAYING_SQL} AND excluded."processGroup" IS NOT NULL
      THEN excluded."processStartedAt" ELSE "Sheet"."processStartedAt" END`;

export async function upsertSheets(
  client: pg.ClientBase,
  sheets: readonly SheetRecord[],
  nowMs: number,
): Promise<void> {
  if (sheets.length === 0) return;
  // One statement may not touch a row twice: the last record of a sheet wins, as in order.
  const latest = [...new Map(sheets.map((s) => [`${s.jobId}#${s.num}`, s])).values()];
  await client.query(UPSERT_SHEETS, [...arrays(SHEET_COLUMNS, latest), iso(nowMs)]);
}

const INSERT_ATTEMPTS = `INSERT INTO "Attempt" (${quoted(ATTEMPT_COLUMNS)})
  SELECT * FROM unnest(${unnested(ATTEMPT_COLUMNS)})`;

export async function insertAttempts(
  client: pg.ClientBase,
  attempts: readonly AttemptRecord[],
): Promise<void> {
  if (attempts.length === 0) return;
  await client.query(INSERT_ATTEMPTS, arrays(ATTEMPT_COLUMNS, attempts));
}

const ANNOUNCE_CHANNEL = `$${EVENT_COLUMNS.length + 2}`;

/**
 * The append also announces its last seq on `podium_events` (delivered on COMMIT, dropped on
 * rollback), in the same round trip. A CTE calling a volatile function runs once, joined or not.
 */
const APPEND_EVENTS = `WITH bumped AS (
    UPDATE "EventSeq" SET "last" = "last" + $1 WHERE "id" = 1 RETURNING "last"
  ), announced AS (
    SELECT pg_notify(${ANNOUNCE_CHANNEL}::text, "last"::text) FROM bumped
  )
  INSERT INTO "Event" ("seq", ${quoted(EVENT_COLUMNS)})
  SELECT bumped."last" - $1 + e.ord, e."jobId", e."sheetNum", e."name", e."data", e."timestamp"
  FROM bumped, announced, unnest(${unnested(EVENT_COLUMNS, 1)})
    WITH ORDINALITY AS e("jobId", "sheetNum", "name", "data", "timestamp", ord)
  RETURNING "seq"`;

/** Appends the events in order and announces them to every process; resolves with their seqs. */
export async function appendEvents(
  client: pg.ClientBase,
  events: readonly EventDraft[],
): Promise<number[]> {
  if (events.length === 0) return [];
  const result = await client.query<{ seq: string }>(APPEND_EVENTS, [
    events.length,
    ...arrays(EVENT_COLUMNS, events),
    CHANNELS.events,
  ]);
  return result.rows.map((row) => Number(row.seq)).sort((a, b) => a - b);
}

const UPDATE_JOB = `UPDATE "Job" SET "status" = $2, "pauseReason" = $3, "pauseReasons" = $4,
  "totalSheets" = $5, "completedSheets" = $6, "costUsd" = $7, "errorMessage" = $8,
  "startedAt" = $9, "completedAt" = $10, "updatedAt" = $11 WHERE "id" = $1`;

export async function updateJob(
  client: pg.ClientBase,
  job: JobRecord,
  nowMs: number,
): Promise<boolean> {
  const result = await client.query(UPDATE_JOB, [
    job.id,
    job.status,
    job.pauseReason,
    JSON.stringify(job.pauseReasons),
    job.totalSheets,
    job.completedSheets,
    job.costUsd,
    job.errorMessage,
    iso(job.startedAt),
    iso(job.completedAt),
    iso(nowMs),
  ]);
  return result.rowCount === 1;
}

const INSERT_JOB = `INSERT INTO "Job" ("id", "name", "status", "pauseReason", "pauseReasons",
    "scoreText", "configHash", "spec", "workspace", "idempotencyKey", "warnings", "options",
    "totalSheets", "completedSheets", "costUsd", "errorMessage", "concertDepth", "parentJobId",
    "hooksPending", "createdAt", "startedAt", "completedAt", "updatedAt")
  VALUES ($1, $2, $3, NULL, '[]', $4, $5, $6, $7, $8, $9, $10, $11, 0, 0, NULL, $12, $13, $14,
    $15, NULL, NULL, $16)
  ON CONFLICT ("idempotencyKey") DO NOTHING
  RETURNING "id"`;

/** Inserts the job row; false when its idempotency key is taken (nothing written). */
export async function insertJob(
  client: pg.ClientBase,
  job: NewJob,
  nowMs: number,
): Promise<boolean> {
  const result = await client.query(INSERT_JOB, [
    job.id,
    job.name,
    job.status,
    job.scoreText,
    job.configHash,
    job.spec === null ? null : JSON.stringify(job.spec),
    job.workspace,
    job.idempotencyKey,
    JSON.stringify(job.warnings),
    JSON.stringify(job.options),
    job.totalSheets,
    job.concertDepth,
    job.parentJobId,
    job.hooksPending,
    iso(job.createdAt),
    iso(nowMs),
  ]);
  return result.rowCount === 1;
}

export async function jobIdByIdempotencyKey(
  client: pg.ClientBase,
  key: string | null,
): Promise<string | null> {
  const result = await client.query<{ id: string }>(
    `SELECT "id" FROM "Job" WHERE "idempotencyKey" = $1`,
    [key],
  );
  return result.rows[0]?.id ?? null;
}

export async function replaceScore(
  client: pg.ClientBase,
  job: ReplacedScore,
  nowMs: number,
): Promise<void> {
  await client.query(
    `UPDATE "Job" SET "scoreText" = $2, "configHash" = $3, "spec" = $4, "name" = $5,
       "updatedAt" = $6 WHERE "id" = $1`,
    [job.id, job.scoreText, job.configHash, JSON.stringify(job.spec), job.name, iso(nowMs)],
  );
}

export const SET_HOOKS_DONE = `UPDATE "Job" SET "hooksPending" = false, "updatedAt" = $2 WHERE "id" = $1`;
export const RECORD_PROCESS_GROUP = `UPDATE "Sheet" SET "processGroup" = $1, "processStartedAt" = $2
  WHERE "jobId" = $3 AND "num" = $4`;
export const CLEAR_PROCESS_GROUP = `UPDATE "Sheet" SET "processGroup" = NULL, "processStartedAt" = NULL
  WHERE "jobId" = $1 AND "num" = $2 AND "processGroup" = $3`;
export const CLEAR_ALL_PROCESS_GROUPS = `UPDATE "Sheet" SET "processGroup" = NULL,
  "processStartedAt" = NULL WHERE "processGroup" IS NOT NULL`;

const NOT_TERMINAL = `"Job"."status" NOT IN ('completed', 'failed', 'cancelled')`;
export const NON_TERMINAL_JOBS = `SELECT * FROM "Job" WHERE ${NOT_TERMINAL} ORDER BY "submitOrder"`;
export const SHEETS_OF_NON_TERMINAL_JOBS = `SELECT "Sheet".* FROM "Sheet"
  JOIN "Job" ON "Job"."id" = "Sheet"."jobId" WHERE ${NOT_TERMINAL}
  ORDER BY "Sheet"."jobId", "Sheet"."num"`;
export const JOB_BY_ID = `SELECT * FROM "Job" WHERE "id" = $1`;
export const SHEETS_OF_JOB = `SELECT * FROM "Sheet" WHERE "jobId" = $1 ORDER BY "num"`;
