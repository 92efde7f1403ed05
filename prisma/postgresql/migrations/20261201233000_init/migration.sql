-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "pauseReason" TEXT,
    "scoreText" TEXT NOT NULL,
    "configHash" TEXT NOT NULL,
    "spec" TEXT,
    "workspace" TEXT NOT NULL,
    "idempotencyKey" TEXT,
    "warnings" TEXT NOT NULL DEFAULT '[]',
    "options" TEXT NOT NULL DEFAULT '{}',
    "totalSheets" INTEGER NOT NULL,
    "completedSheets" INTEGER NOT NULL DEFAULT 0,
    "costUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "errorMessage" TEXT,
    "concertDepth" INTEGER NOT NULL DEFAULT 0,
    "parentJobId" TEXT,
    "hooksPending" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "completedAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "pauseReasons" TEXT NOT NULL DEFAULT '[]',
    "submitOrder" BIGSERIAL NOT NULL,

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Sheet" (
    "jobId" TEXT NOT NULL,
    "num" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "movement" INTEGER NOT NULL,
    "voice" INTEGER,
    "voiceCount" INTEGER NOT NULL DEFAULT 1,
    "description" TEXT,
    "instrument" TEXT NOT NULL,
    "instrumentChain" TEXT NOT NULL DEFAULT '[]',
    "instrumentIndex" INTEGER NOT NULL DEFAULT 0,
    "model" TEXT,
    "dependsOn" TEXT NOT NULL DEFAULT '[]',
    "normalAttempts" INTEGER NOT NULL DEFAULT 0,
    "completionAttempts" INTEGER NOT NULL DEFAULT 0,
    "healingAttempts" INTEGER NOT NULL DEFAULT 0,
    "validationPassRate" DOUBLE PRECISION,
    "costUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "durationMs" INTEGER NOT NULL DEFAULT 0,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "stdoutTail" TEXT,
    "stderrTail" TEXT,
    "prompt" TEXT,
    "dispatchToken" TEXT,
    "processGroup" INTEGER,
    "processStartedAt" TEXT,
    "startedAt" TIMESTAMPTZ(3),
    "completedAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "dueAt" TIMESTAMPTZ(3),

    CONSTRAINT "Sheet_pkey" PRIMARY KEY ("jobId","num")
);

-- CreateTable
CREATE TABLE "Attempt" (
    "id" SERIAL NOT NULL,
    "jobId" TEXT NOT NULL,
    "sheetNum" INTEGER NOT NULL,
    "attemptNumber" INTEGER NOT NULL,
    "mode" TEXT NOT NULL,
    "instrument" TEXT NOT NULL,
    "model" TEXT,
    "dispatchToken" TEXT NOT NULL,
    "executionSuccess" BOOLEAN NOT NULL,
    "exitCode" INTEGER,
    "durationMs" INTEGER NOT NULL,
    "validationsPassed" INTEGER NOT NULL DEFAULT 0,
    "validationsTotal" INTEGER NOT NULL DEFAULT 0,
    "passRate" DOUBLE PRECISION NOT NULL,
    "validationDetails" TEXT NOT NULL DEFAULT '[]',
    "errorClass" TEXT,
    "errorMessage" TEXT,
    "rateLimited" BOOLEAN NOT NULL DEFAULT false,
    "costUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "inputTokens" INTEGER,
    "outputTokens" INTEGER,
    "stdoutTail" TEXT,
    "stderrTail" TEXT,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Event" (
    "seq" BIGINT NOT NULL,
    "jobId" TEXT NOT NULL,
    "sheetNum" INTEGER NOT NULL DEFAULT 0,
    "name" TEXT NOT NULL,
    "data" TEXT NOT NULL DEFAULT '{}',
    "timestamp" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Event_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "EventSeq" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "last" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "EventSeq_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Job_idempotencyKey_key" ON "Job"("idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "Job_submitOrder_key" ON "Job"("submitOrder");

-- CreateIndex
CREATE INDEX "Job_status_idx" ON "Job"("status");

-- CreateIndex
CREATE INDEX "Job_createdAt_idx" ON "Job"("createdAt");

-- CreateIndex
CREATE INDEX "Job_parentJobId_idx" ON "Job"("parentJobId");

-- CreateIndex
CREATE INDEX "Sheet_jobId_status_idx" ON "Sheet"("jobId", "status");

-- CreateIndex
CREATE INDEX "Attempt_jobId_sheetNum_idx" ON "Attempt"("jobId", "sheetNum");

-- CreateIndex
CREATE INDEX "Event_jobId_seq_idx" ON "Event"("jobId", "seq");

-- AddForeignKey
ALTER TABLE "Sheet" ADD CONSTRAINT "Sheet_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attempt" ADD CONSTRAINT "Attempt_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- The counter behind Event.seq starts at 0 (DESIGN.md §7).
INSERT INTO "EventSeq" ("id", "last") VALUES (1, 0);
