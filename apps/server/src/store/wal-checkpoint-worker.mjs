// Checkpoints the WAL of the database at workerData.filePath every workerData.intervalMs, on
// its own connection in its own thread (see wal-checkpointer.ts). Plain JavaScript, so it
// starts without a TypeScript loader.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const { filePath, intervalMs } = workerData;
// No busy wait: a checkpoint that would wait is left to the next tick.
const connection = new Database(filePath, { fileMustExist: true, timeout: 0 });

const timer = setInterval(() => {
  try {
    // PASSIVE never blocks the writer: it copies what no reader still needs.
    connection.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Locked for a moment: the next tick checkpoints.
  }
}, intervalMs);

parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  connection.close();
  parentPort.close();
});
