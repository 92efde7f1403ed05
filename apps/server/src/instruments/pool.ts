/**
 * One backend per instrument, created on first use, with in-flight counts per instrument.
 * `run` always releases its count, whatever happens; an unknown instrument becomes a failed
 * run (E505), never a hung sheet.
 */
import { instrumentAvailability } from "./availability.ts";
import { ErrorCodes } from "../contracts/attempt.ts";
import type { Clock } from "../contracts/clock.ts";
import {
  failedRun,
  type BackendRunRequest,
  type BackendRunResult,
  type InstrumentBackend,
} from "./backend.ts";
import { CliBackend } from "./cli-backend.ts";
import { HttpBackend } from "./http-backend.ts";
import {
  listInstruments,
  loadInstrumentProfiles,
  profileLimit,
  DEFAULT_MAX_CONCURRENT,
  type InstrumentInfo,
  type LoadProfilesOptions,
  type ProfileProblem,
} from "./loader.ts";
import type { InstrumentProfile } from "./profile-schema.ts";

export interface BackendPoolOptions {
  profiles: ReadonlyMap<string, InstrumentProfile>;
  /** Environment passed to instruments (and read for API keys). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Grace between SIGTERM and SIGKILL of a process group (default 2 s). */
  killGraceMs?: number;
}

const systemClock: Clock = { now: () => Date.now() };

export function unknownInstrumentMessage(name: string): string {
  return `${ErrorCodes.UNKNOWN_INSTRUMENT}: unknown instrument '${name}'`;
}

export class BackendPool {
  readonly profiles: ReadonlyMap<string, InstrumentProfile>;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  private readonly backends = new Map<string, InstrumentBackend>();
  private readonly counts = new Map<string, number>();
  private closed = false;

  constructor(private readonly options: BackendPoolOptions) {
    this.profiles = options.profiles;
    this.env = options.env ?? process.env;
    this.clock = options.clock ?? systemClock;
  }

  profile(name: string): InstrumentProfile | undefined {
    return this.profiles.get(name);
  }

  has(name: string): boolean {
    return this.profiles.has(name);
  }

  /** Why `name` cannot be played here (no profile, executable not on PATH), or null. */
  unusableReason(name: string): string | null {
    const profile = this.profiles.get(name);
    if (!profile) return "no instrument profile of that name is installed";
    return instrumentAvailability(profile, this.env).reason;
  }

  instruments(): InstrumentInfo[] {
    return listInstruments(this.profiles, this.env);
  }

  /**
   * Concurrency cap for (instrument, model): the model's `max_concurrent`, default 4; no cap of
   * its own for an instrument without models (see profileLimit).
   */
  readonly instrumentLimit = (name: string, model: string | null): number => {
    const profile = this.profiles.get(name);
    if (!profile) return DEFAULT_MAX_CONCURRENT;
    return profileLimit(profile, model) ?? Number.POSITIVE_INFINITY;
  };

  inFlight(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  private backendFor(profile: InstrumentProfile): InstrumentBackend {
    let backend = this.backends.get(profile.name);
    if (!backend) {
      const shared = { env: this.env, clock: this.clock };
      switch (profile.kind) {
        case "cli":
          backend = new CliBackend(profile, { ...shared, killGraceMs: this.options.killGraceMs });
          break;
        case "http":
          backend = new HttpBackend(profile, shared);
          break;
        default: {
          const unknownKind: never = profile.kind;
          throw new Error(`unknown instrument kind ${String(unknownKind)}`);
        }
      }
      this.backends.set(profile.name, backend);
    }
    return backend;
  }

  async run(name: string, request: BackendRunRequest): Promise<BackendRunResult> {
    const profile = this.profiles.get(name);
    if (!profile) return failedRun("UNKNOWN_INSTRUMENT", unknownInstrumentMessage(name));
    if (this.closed) return failedRun("CANCELLED", "the instrument pool is shut down");
    this.counts.set(name, this.inFlight(name) + 1);
    try {
      return await this.backendFor(profile).run(request);
    } catch (error) {
      return failedRun(
        "EXECUTION_ERROR",
        `instrument '${name}' failed unexpectedly: ${(error as Error).message}`,
      );
    } finally {
      this.counts.set(name, this.inFlight(name) - 1);
    }
  }

  /** Kills every process still running and refuses new runs. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.backends.values()].map((backend) => backend.close()));
  }
}

/** Loads profiles (built-ins and user directories) and builds a pool over them. */
export function createBackendPool(
  options: Omit<BackendPoolOptions, "profiles"> & LoadProfilesOptions = {},
): { pool: BackendPool; problems: ProfileProblem[] } {
  const { profiles, problems } = loadInstrumentProfiles(options);
  return { pool: new BackendPool({ ...options, profiles }), problems };
}
