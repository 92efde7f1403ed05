-- Every pause reason holding a job (not only the oldest), and the due time of a sheet's timer
-- so a restart re-arms it where it was. Additive: existing rows keep their meaning.
ALTER TABLE "Job" ADD COLUMN "pauseReasons" TEXT NOT NULL DEFAULT '[]';
UPDATE "Job" SET "pauseReasons" = json_array("pauseReason") WHERE "pauseReason" IS NOT NULL;
ALTER TABLE "Sheet" ADD COLUMN "dueAt" DATETIME;
