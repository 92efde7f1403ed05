-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "costUsd" REAL NOT NULL DEFAULT 0,
    "errorMessage" TEXT,
    "concertDepth" INTEGER NOT NULL DEFAULT 0,
    "parentJobId" TEXT,
    "hooksPending" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "completedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
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
    "validationPassRate" REAL,
    "costUsd" REAL NOT NULL DEFAULT 0,
    "durationMs" INTEGER NOT NULL DEFAULT 0,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "stdoutTail" TEXT,
    "stderrTail" TEXT,
    "prompt" TEXT,
    "dispatchToken" TEXT,
    "processGroup" INTEGER,
    "processStartedAt" TEXT,
    "startedAt" DATETIME,
    "completedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("jobId", "num"),
    CONSTRAINT "Sheet_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Attempt" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    "passRate" REAL NOT NULL,
    "validationDetails" TEXT NOT NULL DEFAULT '[]',
    "errorClass" TEXT,
    "errorMessage" TEXT,
    "rateLimited" BOOLEAN NOT NULL DEFAULT false,
    "costUsd" REAL NOT NULL DEFAULT 0,
    "inputTokens" INTEGER,
    "outputTokens" INTEGER,
    "stdoutTail" TEXT,
    "stderrTail" TEXT,
    "startedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME NOT NULL,
    CONSTRAINT "Attempt_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Event" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "jobId" TEXT NOT NULL,
    "sheetNum" INTEGER NOT NULL DEFAULT 0,
    "name" TEXT NOT NULL,
    "data" TEXT NOT NULL DEFAULT '{}',
    "timestamp" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "Job_idempotencyKey_key" ON "Job"("idempotencyKey");

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
