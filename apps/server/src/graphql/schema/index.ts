/** Imports every type file, then builds the schema. Import `schema` from here, never the builder. */
import { builder } from "../builder.ts";
import "./scalars.ts";
import "./job-status.ts";
import "./sheet-status.ts";
import "./fermata-decision.ts";
import "./score-problem.ts";
import "./score-validation.ts";
import "./score-invalid.ts";
import "./validation-detail.ts";
import "./attempt.ts";
import "./sheet.ts";
import "./sheet-event.ts";
import "./job.ts";
import "./instrument.ts";
import "./example-score.ts";
import "./health.ts";
import "./podium-process.ts";
import "./submit-job.ts";
import "./query.ts";
import "./mutation.ts";
import "./subscription.ts";

export const schema = builder.toSchema({ sortSchema: false });
