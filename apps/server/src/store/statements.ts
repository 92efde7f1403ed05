/**
 * The writer's prepared statements. A sheet's process group is the ledger of a live process:
 * recorded the moment the process exists (recordProcessGroup) and cleared once the attempt is
 * over and its group ended (clearProcessGroup). A checkpoint upsert never clears it (a cancelled
 * sheet's group may still be dying) and brings one only while the sheet is playing.
 */
import type Database from "better-sqlite3";

const SHEET_COLUMNS = [
  "jobId",
  "num",
  "status",
  "movement",
  "voice",
  "voiceCount",
  "description",
  "instrument",
  "instrumentChain",
  "instrumentIndex",
  "model",
  "dependsOn",
  "normalAttempts",
  "completionAttempts",
  "healingAttempts",
  "validationPassRate",
  "costUsd",
  "durationMs",
  "errorCode",
  "errorMessage",
  "stdoutTail",
  "stderrTail",
  "prompt",
  "dispatchToken",
  "processGroup",
  "processStartedAt",
  "startedAt",
  "completedAt",
  "dueAt",
  "updatedAt",
] as const;

/** The process group is merged by hand below: a record that does not know it keeps the stored one. */
const SHEET_UPDATABLE = SHEET_COLUMNS.filter(
  (c) => c !== "jobId" && c !== "num" && c !== "processGroup" && c !== "processStartedAt",
);

const ATTEMPT_COLUMNS = [
  "jobId",
  "sheetNum",
  "attemptNumber",
  "mode",
  "instrument",
  "model",
  "dispatchToken",
  "executionSuccess",
  "exitCode",
  "durationMs",
  "validationsPassed",
  "validationsTotal",
  "passRate",
  "validationDetails",
  "errorClass",
  "errorMessage",
  "rateLimited",
  "costUsd",
  "inputTokens",
  "outputTokens",
  "stdoutTail",
  "stderrTail",
  "startedAt",
  "finishedAt",
] as const;

const JOB_INSERT_COLUMNS = [
  "id",
  "name",
  "status",
  "pauseReason",
  "pauseReasons",
  "scoreText",
  "configHash",
  "spec",
  "workspace",
  "idempotencyKey",
  "warnings",
  "options",
  "totalSheets",
  "completedSheets",
  "costUsd",
  "errorMessage",
  "concertDepth",
  "parentJobId",
  "hooksPending",
  "createdAt",
  "startedAt",
  "completedAt",
  "updatedAt",
] as const;

/** Statuses in which a musician may be playing; only then can a record bring a process group. */
const PLAYING_SQL = `('dispatched','in_progress')`;

function columns(list: readonly string[]): string {
  return list.map((c) => `"${c}"`).join(", ");
}
function params(list: readonly string[]): string {
  return list.map((c) => `@${c}`).join(", ");
}

export function prepareStatements(db: Database.Database) {
  return {
    updateJob: db.prepare(
      `UPDATE "Job" SET "status" = @status, "pauseReason" = @pauseReason,
         "pauseReasons" = @pauseReasons,
         "totalSheets" = @totalSheets, "completedSheets" = @completedSheets, "costUsd" = @costUsd,
         "errorMessage" = @errorMessage, "startedAt" = @startedAt, "completedAt" = @completedAt,
         "updatedAt" = @updatedAt
       WHERE "id" = @id`,
    ),
    insertJob: db.prepare(
      `INSERT INTO "Job" (${columns(JOB_INSERT_COLUMNS)}) VALUES (${params(JOB_INSERT_COLUMNS)})
       ON CONFLICT("idempotencyKey") DO NOTHING`,
    ),
    jobIdByIdempotencyKey: db.prepare(`SELECT "id" FROM "Job" WHERE "idempotencyKey" = ?`).pluck(),
    upsertSheet: db.prepare(
      `INSERT INTO "Sheet" (${columns(SHEET_COLUMNS)}) VALUES (${params(SHEET_COLUMNS)})
       ON CONFLICT("jobId", "num") DO UPDATE SET
         ${SHEET_UPDATABLE.map((c) => `"${c}" = excluded."${c}"`).join(",\n         ")},
         "processGroup" = CASE WHEN excluded."status" IN ${PLAYING_SQL} AND excluded."processGroup" IS NOT NULL
           THEN excluded."processGroup" ELSE "Sheet"."processGroup" END,
         "processStartedAt" = CASE WHEN excluded."status" IN ${PLAYING_SQL} AND excluded."processGroup" IS NOT NULL
           THEN excluded."processStartedAt" ELSE "Sheet"."processStartedAt" END`,
    ),
    insertAttempt: db.prepare(
      `INSERT INTO "Attempt" (${columns(ATTEMPT_COLUMNS)}) VALUES (${params(ATTEMPT_COLUMNS)})`,
    ),
    // Positional: the hottest statement, and binding by position is the cheapest.
    insertEvent: db.prepare(
      `INSERT INTO "Event" ("jobId", "sheetNum", "name", "data", "timestamp") VALUES (?, ?, ?, ?, ?)`,
    ),
    recordProcessGroup: db.prepare(
      `UPDATE "Sheet" SET "processGroup" = ?, "processStartedAt" = ? WHERE "jobId" = ? AND "num" = ?`,
    ),
    clearProcessGroup: db.prepare(
      `UPDATE "Sheet" SET "processGroup" = NULL, "processStartedAt" = NULL
       WHERE "jobId" = ? AND "num" = ? AND "processGroup" = ?`,
    ),
    liveProcessGroups: db.prepare(
      `SELECT "jobId", "num", "processGroup", "processStartedAt" FROM "Sheet"
       WHERE "processGroup" IS NOT NULL`,
    ),
    clearAllProcessGroups: db.prepare(
      `UPDATE "Sheet" SET "processGroup" = NULL, "processStartedAt" = NULL WHERE "processGroup" IS NOT NULL`,
    ),
    nonTerminalJobs: db.prepare(
      `SELECT * FROM "Job" WHERE "status" NOT IN ('completed','failed','cancelled') ORDER BY "Job"."rowid"`,
    ),
    completedJobsWithPendingHooks: db.prepare(
      `SELECT * FROM "Job" WHERE "status" = 'completed' AND "hooksPending" = 1 ORDER BY "Job"."rowid"`,
    ),
    setHooksPending: db.prepare(
      `UPDATE "Job" SET "hooksPending" = ?, "updatedAt" = ? WHERE "id" = ?`,
    ),
    childJobs: db
      .prepare(`SELECT "id" FROM "Job" WHERE "parentJobId" = ? ORDER BY "Job"."rowid"`)
      .pluck(),
    jobById: db.prepare(`SELECT * FROM "Job" WHERE "id" = ?`),
    sheetsOfJob: db.prepare(`SELECT * FROM "Sheet" WHERE "jobId" = ? ORDER BY "num"`),
    sheetsOfNonTerminalJobs: db.prepare(
      `SELECT "Sheet".* FROM "Sheet" JOIN "Job" ON "Job"."id" = "Sheet"."jobId"
       WHERE "Job"."status" NOT IN ('completed','failed','cancelled') ORDER BY "Sheet"."jobId", "Sheet"."num"`,
    ),
    eventsAfter: db.prepare(`SELECT * FROM "Event" WHERE "seq" > ? ORDER BY "seq" LIMIT ?`),
    eventsOfJobAfter: db.prepare(
      `SELECT * FROM "Event" WHERE "jobId" = ? AND "seq" > ? ORDER BY "seq" LIMIT ?`,
    ),
    lastSeq: db.prepare(`SELECT MAX("seq") FROM "Event"`).pluck(),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
