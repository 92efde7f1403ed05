/**
 * The redaction choke point: every record and event goes through here on its way into the
 * checkpoint store, and subscribers are handed what the store logged, so hook output,
 * instrument tails, validation details and error messages are redacted once, in one place,
 * before anything is stored or published.
 */
import type { EventDraft } from "../contracts/event-log.ts";
import type { AttemptRecord, JobRecord, SheetRecord } from "../contracts/records.ts";
import type { Redact } from "./redact.ts";

function text<T extends string | null>(value: T, redact: Redact): T {
  return (value === null ? null : redact(value)) as T;
}

/** Every string inside a JSON-like value, redacted; keys and other values kept. */
export function redactDeep(value: unknown, redact: Redact): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact)]),
    );
  }
  return value;
}

export function redactEvent(event: EventDraft, redact: Redact): EventDraft {
  return { ...event, data: redactDeep(event.data, redact) as EventDraft["data"] };
}

export function redactJob(job: JobRecord, redact: Redact): JobRecord {
  return { ...job, errorMessage: text(job.errorMessage, redact) };
}

export function redactSheet(sheet: SheetRecord, redact: Redact): SheetRecord {
  return {
    ...sheet,
    errorMessage: text(sheet.errorMessage, redact),
    stdoutTail: text(sheet.stdoutTail, redact),
    stderrTail: text(sheet.stderrTail, redact),
    prompt: text(sheet.prompt, redact),
  };
}

export function redactAttempt(attempt: AttemptRecord, redact: Redact): AttemptRecord {
  return {
    ...attempt,
    errorMessage: text(attempt.errorMessage, redact),
    stdoutTail: text(attempt.stdoutTail, redact),
    stderrTail: text(attempt.stderrTail, redact),
    validationDetails: attempt.validationDetails.map((detail) => ({
      ...detail,
      description: text(detail.description, redact),
      message: text(detail.message, redact),
    })),
  };
}
