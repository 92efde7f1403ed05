/**
 * Reading files named by a score (template files, validated files, captured files) without
 * letting the score stall the server: only regular files are read (a FIFO would block the read,
 * /dev/zero never ends), the open itself cannot block (O_NONBLOCK), and at most a cap of bytes
 * is read.
 */
import fs from "node:fs";
import { promises as fsp } from "node:fs";

export type RegularFileRead =
  | { ok: true; text: string }
  | { ok: false; reason: "missing" | "not_regular" | "too_large" | "unreadable"; detail: string };

const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;

function refusal(error: unknown): RegularFileRead {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR")
    return { ok: false, reason: "missing", detail: "not found" };
  return { ok: false, reason: "unreadable", detail: `cannot be read (${code ?? "error"})` };
}

function checkStat(stat: fs.Stats, maxBytes: number): RegularFileRead | null {
  if (!stat.isFile()) return { ok: false, reason: "not_regular", detail: "is not a regular file" };
  if (stat.size > maxBytes)
    return {
      ok: false,
      reason: "too_large",
      detail: `is ${stat.size} bytes, over the limit of ${maxBytes}`,
    };
  return null;
}

/** Reads a regular file of at most `maxBytes` as UTF-8; blocks only on the (capped) read itself. */
export function readRegularFileSync(file: string, maxBytes: number): RegularFileRead {
  let fd: number;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (error) {
    return refusal(error);
  }
  try {
    const stat = fs.fstatSync(fd);
    const refused = checkStat(stat, maxBytes);
    if (refused) return refused;
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const read = fs.readSync(fd, buffer, length, buffer.length - length, null);
      length += read;
      if (read === 0 || length === buffer.length) break;
    }
    if (length > maxBytes)
      return { ok: false, reason: "too_large", detail: `is over the limit of ${maxBytes} bytes` };
    return { ok: true, text: buffer.subarray(0, length).toString("utf8") };
  } catch (error) {
    return refusal(error);
  } finally {
    fs.closeSync(fd);
  }
}

/** The same, without blocking the event loop at all. */
export async function readRegularFile(file: string, maxBytes: number): Promise<RegularFileRead> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, OPEN_FLAGS);
  } catch (error) {
    return refusal(error);
  }
  try {
    const stat = await handle.stat();
    const refused = checkStat(stat, maxBytes);
    if (refused) return refused;
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      length += bytesRead;
      if (bytesRead === 0 || length === buffer.length) break;
    }
    if (length > maxBytes)
      return { ok: false, reason: "too_large", detail: `is over the limit of ${maxBytes} bytes` };
    return { ok: true, text: buffer.subarray(0, length).toString("utf8") };
  } catch (error) {
    return refusal(error);
  } finally {
    await handle.close();
  }
}
