/**
 * Opaque cursors. Clients must treat them as strings; inside they are base64url of a small
 * tagged text so that an event cursor cannot be passed where a job cursor is expected.
 */
import type { JobPosition } from "../store/read-model.ts";
import { gatewayError } from "./errors.ts";

const EVENT_TAG = "seq";
const JOB_TAG = "job";

function encode(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

function decode(cursor: string): string {
  return Buffer.from(cursor, "base64url").toString("utf8");
}

export function encodeEventCursor(seq: number): string {
  return encode(`${EVENT_TAG}:${seq}`);
}

/** `null`/absent means "from the start of the log" (seq 0). */
export function decodeEventCursor(cursor: string | null | undefined, argument = "after"): number {
  if (cursor === null || cursor === undefined || cursor === "") return 0;
  const match = /^seq:(\d{1,15})$/.exec(decode(cursor));
  if (!match) {
    throw gatewayError("BAD_USER_INPUT", `${argument}: "${cursor}" is not an event cursor`, {
      argumentName: argument,
    });
  }
  return Number(match[1]);
}

export function encodeJobCursor(position: JobPosition): string {
  return encode(`${JOB_TAG}:${position.createdAt.getTime()}:${position.id}`);
}

export function decodeJobCursor(
  cursor: string | null | undefined,
  argument = "after",
): JobPosition | null {
  if (cursor === null || cursor === undefined || cursor === "") return null;
  const match = /^job:(\d{1,15}):(.+)$/s.exec(decode(cursor));
  if (!match) {
    throw gatewayError("BAD_USER_INPUT", `${argument}: "${cursor}" is not a job cursor`, {
      argumentName: argument,
    });
  }
  return { createdAt: new Date(Number(match[1])), id: match[2]! };
}

/** Checks a connection's `first` argument against the page-size limit. */
export function pageSize(
  first: number | null | undefined,
  defaultSize: number,
  maxSize: number,
): number {
  if (first === null || first === undefined) return defaultSize;
  if (!Number.isInteger(first) || first < 0 || first > maxSize) {
    throw gatewayError("BAD_USER_INPUT", `first: must be between 0 and ${maxSize}, got ${first}`, {
      argumentName: "first",
    });
  }
  return first;
}
