/** Score problems as compilers print them: `file:line:column: error: path: message`. */

export interface Place {
  line: number;
  column: number;
}

/**
 * The column of the key a problem is about, on the line the server or parser placed it:
 * the last key of its path when that key is written on the line, else the line's first
 * non-blank character.
 */
export function locate(
  text: string,
  line: number | null | undefined,
  keyPath: string,
): Place | null {
  if (line === null || line === undefined) return null;
  const source = text.split(/\r?\n/)[line - 1] ?? "";
  const keys = keyPath.split(".").filter((key) => key !== "" && !/^\d+$/.test(key));
  const key = keys[keys.length - 1];
  const keyed =
    key === undefined ? -1 : source.search(new RegExp(`(^|[\\s{,'"-])${escape(key)}['"]?\\s*:`));
  if (keyed >= 0) {
    const offset = source.slice(keyed).indexOf(key!);
    return { line, column: keyed + offset + 1 };
  }
  const blank = /^\s*(-\s+)?/.exec(source)?.[0].length ?? 0;
  return { line, column: blank + 1 };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function formatDiagnostic(
  file: string,
  place: Place | null,
  severity: "error" | "warning",
  keyPath: string,
  message: string,
): string {
  const where = place ? `${file}:${place.line}:${place.column}` : file;
  const subject = keyPath === "" ? "" : `${keyPath}: `;
  return `${where}: ${severity}: ${subject}${message}`;
}
