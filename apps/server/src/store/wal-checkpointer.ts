/**
 * Checkpoints the writer's WAL away from the event loop. A checkpoint copies pages into the
 * database file and can take tens of milliseconds; on the writer's connection it would stall
 * every commit, timer and socket of the server for that long. A worker thread with its own
 * connection does it instead (WAL mode lets a checkpoint and the writer run side by side). If
 * the thread cannot start, the writer checkpoints on a timer as before, so the WAL never grows
 * without bound.
 */
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

export interface WalCheckpointer {
  /** Resolves once no checkpoint runs any more. */
  stop(): Promise<void>;
}

/** A checkpoint in progress is let finish; one that takes longer than this is cut off. */
const STOP_GRACE_MS = 5_000;

const WORKER = new URL("./wal-checkpoint-worker.mjs", import.meta.url);

export function startWalCheckpointer(
  writer: Database.Database,
  filePath: string,
  intervalMs: number,
): WalCheckpointer {
  let fallback: NodeJS.Timeout | null = null;
  const checkpointOnWriter = (): void => {
    fallback ??= setInterval(() => {
      try {
        if (writer.open) writer.pragma("wal_checkpoint(PASSIVE)");
      } catch {
        // Locked elsewhere: the next tick checkpoints.
      }
    }, intervalMs);
    fallback.unref();
  };
  // Not under the server's loaders or inspector flags.
  const worker = new Worker(WORKER, { workerData: { filePath, intervalMs }, execArgv: [] });
  worker.unref();
  let running = true;
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.on("error", () => {
    if (running) checkpointOnWriter();
  });
  return {
    async stop() {
      running = false;
      if (fallback) clearInterval(fallback);
      worker.postMessage("stop");
      const stuck = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
      await exited;
      clearTimeout(stuck);
    },
  };
}
