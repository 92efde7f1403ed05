/**
 * The musician tasks in flight: one per playing sheet, each with an abort controller. Whatever
 * happens (a result, a rejected promise, a request that could not be built, an abort) exactly one
 * result is posted back, so no concurrency slot ever leaks.
 */
import type { AttemptRequest, AttemptResult, MusicianPort } from "../../contracts/attempt.ts";
import type { BatonEvent } from "../core/events.ts";
import type { Clock } from "./ports.ts";
import type { DispatchOrder } from "../core/state.ts";
import { failureResult } from "../core/observer.ts";

interface Playing {
  token: string;
  controller: AbortController;
}

export class MusicianTasks {
  private readonly playing = new Map<string, Playing>();

  constructor(
    private readonly musician: MusicianPort,
    private readonly clock: Clock,
    private readonly post: (event: BatonEvent) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  get size(): number {
    return this.playing.size;
  }

  isPlaying(jobId: string, sheetNum: number, token: string): boolean {
    return this.playing.get(slotOf(jobId, sheetNum))?.token === token;
  }

  /** Starts one attempt; `build` may throw or reject, which is reported as a failed dispatch. */
  start(order: DispatchOrder, build: () => AttemptRequest | Promise<AttemptRequest>): void {
    const controller = new AbortController();
    const slot = slotOf(order.jobId, order.sheetNum);
    this.playing.set(slot, { token: order.dispatchToken, controller });
    const startedAt = this.clock.now();
    const report = (result: AttemptResult): void => {
      if (this.playing.get(slot)?.token === order.dispatchToken) this.playing.delete(slot);
      // The order's identity wins, so a confused musician cannot free another dispatch's slot.
      this.post({
        kind: "SheetAttemptResult",
        result: {
          ...result,
          jobId: order.jobId,
          sheetNum: order.sheetNum,
          dispatchToken: order.dispatchToken,
          attemptNumber: order.attemptNumber,
        },
      });
    };
    const fail = (error: unknown): void => {
      this.onError(error);
      const errorClass = controller.signal.aborted ? "CANCELLED" : "DISPATCH_FAILED";
      const message = error instanceof Error ? error.message : String(error);
      report(failureResult(order, errorClass, message, startedAt, this.clock.now()));
    };
    const play = (request: AttemptRequest): Promise<AttemptResult> =>
      this.musician.play(request, {
        signal: controller.signal,
        onSpawn: (processGroup, processStartedAt) =>
          this.post({
            kind: "SheetDispatched",
            jobId: order.jobId,
            sheetNum: order.sheetNum,
            dispatchToken: order.dispatchToken,
            processGroup,
            processStartedAt,
          }),
        onOutput: (output) =>
          this.post({
            kind: "SheetOutput",
            jobId: order.jobId,
            sheetNum: order.sheetNum,
            dispatchToken: order.dispatchToken,
            ...output,
          }),
      });
    try {
      const request = build();
      const playing = request instanceof Promise ? request.then(play) : play(request);
      playing.then(report, fail);
    } catch (error) {
      queueMicrotask(() => fail(error));
    }
  }

  kill(jobId: string, sheetNum: number, token: string): void {
    const playing = this.playing.get(slotOf(jobId, sheetNum));
    if (playing !== undefined && playing.token === token) playing.controller.abort();
  }

  /** Ends every attempt of these jobs now. */
  abortJobs(jobIds: ReadonlySet<string>): void {
    for (const [slot, playing] of this.playing)
      if (jobIds.has(slot.slice(0, slot.lastIndexOf("#")))) playing.controller.abort();
  }

  abortAll(): void {
    for (const playing of this.playing.values()) playing.controller.abort();
  }
}

function slotOf(jobId: string, sheetNum: number): string {
  return `${jobId}#${sheetNum}`;
}
