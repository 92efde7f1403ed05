import { builder } from "../builder.ts";

export interface HealthShape {
  ok: boolean;
  database: boolean;
  version: string;
  startedAt: Date;
  uptimeSeconds: number;
  activeSubscriptions: number;
  draining: boolean;
}

export const HealthRef = builder.objectRef<HealthShape>("Health").implement({
  description: "Whether the server and its database answer.",
  fields: (t) => ({
    ok: t.exposeBoolean("ok"),
    database: t.exposeBoolean("database", { description: "The database answered a probe query." }),
    version: t.exposeString("version"),
    startedAt: t.expose("startedAt", { type: "DateTime" }),
    uptimeSeconds: t.exposeFloat("uptimeSeconds"),
    activeSubscriptions: t.exposeInt("activeSubscriptions", {
      description: "Live subscriptions held by this server (sheetEvents and jobUpdated).",
    }),
    draining: t.exposeBoolean("draining", {
      description:
        "The server is shutting down: it dispatches nothing new and lets attempts in flight finish (PODIUM_DRAIN_GRACE_SECONDS).",
    }),
  }),
});
