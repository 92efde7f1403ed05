/**
 * A test double of the MusicianPort interface (not a process: real processes are tested with the
 * instruments). Each request is answered by a script: a result shape at once, or "hold" to keep
 * the attempt playing until the test finishes it or the baton aborts it.
 */
import type {
  AttemptRequest,
  AttemptResult,
  MusicianPort,
  PlayHooks,
} from "../../../../apps/server/src/contracts/attempt.ts";
import { resultFor, type ResultShape } from "./fixtures.ts";

export type Script = (request: AttemptRequest) => ResultShape | "hold" | "throw";

export class ScriptedMusician implements MusicianPort {
  readonly requests: AttemptRequest[] = [];
  readonly held = new Map<
    string,
    { request: AttemptRequest; finish: (shape: ResultShape) => void }
  >();
  /** Shared log with the store and sink in ordering tests. */
  log: string[] | null = null;

  constructor(public script: Script = () => ({})) {}

  play(request: AttemptRequest, hooks: PlayHooks): Promise<AttemptResult> {
    this.requests.push(request);
    this.log?.push(`play ${request.dispatchToken}`);
    const answer = this.script(request);
    if (answer === "throw") throw new Error("could not start the instrument");
    hooks.onSpawn?.(1000 + this.requests.length, null);
    if (answer !== "hold") return Promise.resolve(resultFor(request, answer));
    return new Promise((resolve) => {
      const finish = (shape: ResultShape) => {
        this.held.delete(request.dispatchToken);
        resolve(resultFor(request, shape));
      };
      this.held.set(request.dispatchToken, { request, finish });
      hooks.signal.addEventListener("abort", () =>
        finish({
          executionSuccess: false,
          exitCode: null,
          passRate: 0,
          errorClass: "CANCELLED",
          errorMessage: "aborted",
        }),
      );
    });
  }

  finish(sheetNum: number, shape: ResultShape = {}): void {
    const entry = [...this.held.values()].find((h) => h.request.sheetNum === sheetNum);
    if (entry === undefined) throw new Error(`sheet ${sheetNum} is not being held`);
    entry.finish(shape);
  }

  playedSheets(): number[] {
    return this.requests.map((r) => r.sheetNum);
  }
}
