/** Which score notifications Podium acts on, and the warning for the one it does not. */
import { describe, expect, it } from "vitest";
import { parseScore } from "../../../apps/server/src/score/index.ts";
import { scoreNotifications } from "../../../apps/server/src/ops/notifications/notifier.ts";

const score = (notifications: string): string =>
  `name: n\nsheet: {size: 1, total_items: 1}\nprompt: {template: hi}\nnotifications:\n${notifications}`;

describe("score notifications", () => {
  it("acts on webhook, slack and desktop without a not-acted-on warning", () => {
    const text = score(
      "  - {type: webhook, config: {url: 'http://127.0.0.1:1/h'}}\n  - {type: slack, on_events: [job_failed], config: {webhook_url_env: SLACK}}\n  - {type: desktop}\n",
    );
    const parsed = parseScore(text);
    expect(parsed.ok && parsed.warnings.filter((w) => w.startsWith("notifications"))).toEqual([]);
    expect(scoreNotifications(text).map((n) => [n.type, n.on_events])).toEqual([
      ["webhook", ["job_complete", "job_failed"]],
      ["slack", ["job_failed"]],
      ["desktop", ["job_complete", "job_failed"]],
    ]);
  });

  it("warns that email is not acted on", () => {
    const parsed = parseScore(score("  - {type: email, config: {to: a@b.c}}\n"));
    expect(parsed.ok && parsed.warnings).toContain(
      "notifications.0.type: email is accepted but not acted on by Podium (use webhook, slack or desktop)",
    );
  });
});
