import type { InstrumentInfo } from "../context.ts";
import { builder } from "../builder.ts";

type ModelInfo = InstrumentInfo["models"][number];

export const InstrumentModelRef = builder.objectRef<ModelInfo>("InstrumentModel").implement({
  description: "A model an instrument can use, with its prices in USD per 1,000 tokens.",
  fields: (t) => ({
    name: t.exposeString("name"),
    maxConcurrent: t.exposeInt("maxConcurrent"),
    costPer1kInput: t.exposeFloat("costPer1kInput"),
    costPer1kOutput: t.exposeFloat("costPer1kOutput"),
  }),
});

export const InstrumentRef = builder.objectRef<InstrumentInfo>("Instrument").implement({
  description:
    "A backend that plays sheets: an AI coding CLI, an HTTP model, or plain bash (`cli`).",
  fields: (t) => ({
    name: t.exposeString("name"),
    displayName: t.exposeString("displayName"),
    description: t.exposeString("description", { nullable: true }),
    kind: t.exposeString("kind", { description: "cli or http." }),
    capabilities: t.exposeStringList("capabilities"),
    models: t.field({ type: [InstrumentModelRef], resolve: (instrument) => instrument.models }),
    defaultModel: t.exposeString("defaultModel", { nullable: true }),
    maxConcurrent: t.exposeInt("maxConcurrent", {
      nullable: true,
      description:
        "How many sheets may play on the default model at once; null for an instrument without models (such as `cli`), which only the job's and the server's caps limit.",
    }),
    usable: t.exposeBoolean("usable", {
      description: "Whether it can be played here: its executable is on PATH, its API key is set.",
    }),
    unavailableReason: t.exposeString("unavailableReason", {
      nullable: true,
      description: "Why it cannot be played here; null when usable.",
    }),
  }),
});
