/** How numbers, times and statuses read on screen. Pure functions, shared by every page. */

export function formatCost(usd: number): string {
  if (usd === 0) return "$0";
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

/** "42s", "3m 05s", "2h 10m", "4d 2h": coarse enough to read at a glance. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, "0")}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${String(minutes % 60).padStart(2, "0")}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

export function formatAge(isoTime: string, now: number | null): string {
  if (now === null) return "";
  return formatDuration(now - Date.parse(isoTime));
}

export function formatClock(isoTime: string | null | undefined): string {
  if (!isoTime) return "—";
  const date = new Date(isoTime);
  return date.toISOString().slice(11, 23);
}

/** "IN_PROGRESS" -> "in progress" */
export function humanStatus(status: string): string {
  return status.toLowerCase().replace(/_/g, " ");
}

/** CSS class suffix for a job or sheet status; the colours live in globals.css. */
export function statusTone(
  status: string,
): "done" | "active" | "waiting" | "failed" | "idle" | "held" {
  switch (status) {
    case "COMPLETED":
      return "done";
    case "RUNNING":
    case "DISPATCHED":
    case "IN_PROGRESS":
      return "active";
    case "WAITING":
    case "RETRY_SCHEDULED":
    case "READY":
      return "waiting";
    case "FAILED":
    case "CANCELLED":
      return "failed";
    case "PAUSED":
    case "FERMATA":
      return "held";
    default:
      return "idle";
  }
}

export function isTerminalJobStatus(status: string): boolean {
  return status === "COMPLETED" || status === "FAILED" || status === "CANCELLED";
}
