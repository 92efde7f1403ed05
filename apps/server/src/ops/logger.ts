/**
 * The server's structured log (pino): pretty lines on a terminal, one JSON object per line
 * elsewhere or with PODIUM_LOG_FORMAT=json. Secrets never reach it: lines carry ids, names,
 * counts and error classes, not prompts or instrument output.
 *
 * JSON lines are gathered and written in batches (one system call per few kilobytes, and at least
 * every FLUSH_INTERVAL_MS), because a write per line costs the event loop more than the line
 * is worth with every sheet logging several. The batch is written synchronously when the
 * process exits (also after an uncaught error) and on every `fatal` line, so nothing logged
 * before the end is lost.
 */
import { isatty } from "node:tty";
import { pino, type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";
import type { SharedSettings } from "../config/settings.ts";

export type { Logger };

/** Bytes gathered before a write. */
export const LOG_BATCH_BYTES = 4096;
/** The longest a line waits in the batch. */
export const FLUSH_INTERVAL_MS = 100;

type BatchedDestination = DestinationStream & { flushSync(): void };

function batchedDestination(fd: number): BatchedDestination {
  const destination = pino.destination({
    fd,
    sync: true,
    minLength: LOG_BATCH_BYTES,
    periodicFlush: FLUSH_INTERVAL_MS,
  });
  process.on("exit", () => {
    try {
      destination.flushSync();
    } catch {
      // The descriptor is gone (a closed pipe): there is nowhere left to write.
    }
  });
  return destination;
}

export function createLogger(
  settings: Pick<SharedSettings, "logFormat" | "logLevel">,
  fd = 1,
): Logger {
  const terminal = isatty(fd);
  const format = settings.logFormat ?? (terminal ? "pretty" : "json");
  const options = { level: settings.logLevel, base: { service: "podium" } };
  if (format === "json") return pino(options, batchedDestination(fd));
  // Pretty lines are for a person watching: each is written as it comes.
  return pino(
    options,
    pretty({
      destination: fd,
      sync: true,
      colorize: terminal,
      ignore: "pid,hostname,service",
      translateTime: "HH:MM:ss.l",
    }),
  );
}
