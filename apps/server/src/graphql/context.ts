/**
 * What the gateway needs from the rest of Podium, as narrow ports: commands go to the conductor,
 * reads go to the store's read model, live events come from the bus. Nothing here reaches into
 * the baton.
 */
import type { EventRecord } from "../bus/types.ts";
import type { ConductorCommands } from "../conductor/types.ts";
import type { ReadModel } from "../store/read-model.ts";

/** Listens to every committed event, in commit order; returns the function that stops it. */
export interface LiveEventSource {
  subscribe(listener: (event: EventRecord) => void): () => void;
}

/** The instrument fields the schema exposes (a structural subset of an instrument profile). */
export interface InstrumentInfo {
  name: string;
  display_name: string;
  description: string | null;
  kind: "cli" | "http";
  capabilities: string[];
  models: {
    name: string;
    context_window: number;
    cost_per_1k_input: number;
    cost_per_1k_output: number;
    max_output_tokens: number | null;
    max_concurrent: number;
  }[];
  default_model: string | null;
  default_timeout_seconds: number;
  raw_prompt: boolean;
}

export interface ExampleScore {
  /** File name without the extension, e.g. `hello-world`. */
  name: string;
  fileName: string;
  text: string;
}

export interface GatewayServices {
  conductor: ConductorCommands;
  readModel: ReadModel;
  liveEvents: LiveEventSource;
  listInstruments(): readonly InstrumentInfo[] | Promise<readonly InstrumentInfo[]>;
  listExamples(): readonly ExampleScore[] | Promise<readonly ExampleScore[]>;
  /** Cheap liveness probe of the database, for the `health` query. */
  checkDatabase(): Promise<boolean>;
  version: string;
  startedAt: Date;
}

export interface GraphQLContext {
  services: GatewayServices;
}
