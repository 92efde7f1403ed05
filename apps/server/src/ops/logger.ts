/**
 * The server's structured log (pino): pretty lines on a terminal, one JSON object per line
 * elsewhere or with PODIUM_LOG_FORMAT=json. Secrets never reach it: lines carry ids, names,
 * counts and error classes, not prompts or instrument output.
 */
import { isatty } from "node:tty";
import { pino, type Logger } from "pino";
import pretty from "pino-pretty";
import type { SharedSettings } from "../config/settings.ts";

export type { Logger };

export function createLogger(
  settings: Pick<SharedSettings, "logFormat" | "logLevel">,
  fd = 1,
): Logger {
  const terminal = isatty(fd);
  const format = settings.logFormat ?? (terminal ? "pretty" : "json");
  const options = { level: settings.logLevel, base: { service: "podium" } };
  if (format === "json") return pino(options, pino.destination({ fd, sync: true }));
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
