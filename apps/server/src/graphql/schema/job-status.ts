import { JOB_STATUSES, type JobStatus } from "../../store/read-model.ts";
import { builder } from "../builder.ts";

export const JobStatusEnum = builder.enumType("JobStatus", {
  description: "Where a job is in its life. PAUSED jobs carry a `pauseReason`.",
  values: Object.fromEntries(
    JOB_STATUSES.map((status) => [status.toUpperCase(), { value: status }]),
  ) as Record<Uppercase<JobStatus>, { value: JobStatus }>,
});
