import { humanStatus, statusTone } from "../lib/format.ts";

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`status tone-${statusTone(status)}`} data-testid="status" data-status={status}>
      {humanStatus(status)}
    </span>
  );
}
