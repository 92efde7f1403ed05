/**
 * `jobUpdated`: the Job as committed, each time an event of it (job-level or sheet) commits.
 * Bursts are coalesced: while a job's reload is pending, more events of it add no reload, and
 * the reload reads the state after all of them.
 */
import type { JobRow, ReadModel } from "../../store/read-model.ts";
import type { LiveEventSource } from "../context.ts";
import { Channel, type SubscriptionTracker } from "./channel.ts";

export interface JobStreamOptions {
  readModel: ReadModel;
  liveEvents: LiveEventSource;
  tracker: SubscriptionTracker;
  /** Only this job; null for every job. */
  jobId: string | null;
  maxQueued?: number;
}

export function openJobStream(options: JobStreamOptions): Channel<JobRow> {
  const { readModel, liveEvents, tracker, jobId } = options;
  const dirty = new Set<string>();
  let draining = false;

  tracker.opened();
  const channel: Channel<JobRow> = new Channel<JobRow>({
    maxQueued: options.maxQueued ?? 10_000,
    onClose: () => {
      unsubscribe();
      dirty.clear();
      tracker.closed();
    },
  });

  const drain = async (): Promise<void> => {
    draining = true;
    try {
      while (dirty.size > 0 && !channel.closed) {
        const [next] = dirty;
        dirty.delete(next!);
        const job = await readModel.getJob(next!);
        if (job) channel.push(job);
      }
    } catch (error) {
      channel.fail(error);
    } finally {
      draining = false;
    }
  };

  const unsubscribe = liveEvents.subscribe((event) => {
    if (jobId !== null && event.jobId !== jobId) return;
    dirty.add(event.jobId);
    if (!draining) void drain();
  });

  return channel;
}
