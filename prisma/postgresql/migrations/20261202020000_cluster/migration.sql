-- CreateTable
CREATE TABLE "PodiumProcess" (
    "name" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "incarnation" TEXT NOT NULL,
    "capacity" INTEGER NOT NULL,
    "instruments" TEXT[],
    "anyInstrument" BOOLEAN NOT NULL DEFAULT true,
    "runningSheets" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "heartbeatAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PodiumProcess_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "JobLease" (
    "jobId" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "token" BIGINT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "needs" TEXT[],

    CONSTRAINT "JobLease_pkey" PRIMARY KEY ("jobId")
);

-- CreateTable
CREATE TABLE "ClusterCommand" (
    "id" BIGSERIAL NOT NULL,
    "target" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "result" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ClusterCommand_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "JobLease_owner_idx" ON "JobLease"("owner");

-- CreateIndex
CREATE INDEX "JobLease_expiresAt_idx" ON "JobLease"("expiresAt");

-- CreateIndex
CREATE INDEX "ClusterCommand_target_status_idx" ON "ClusterCommand"("target", "status");

