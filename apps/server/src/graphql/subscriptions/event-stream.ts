/**
 * `sheetEvents`: replay the log after a cursor, then follow live, with no gap and no duplicate.
 *
 * Order matters. The bus listener is attached FIRST and buffers whatever commits while the
 * replay reads the store; the replay pages through the log up to its end; then the buffer is
 * drained, skipping every seq already replayed. An event committed during the replay is thus
 * either read by the replay or held in the buffer (or both, and then sent once).
 *
 * The replay reads one page only once the client has taken the previous one, so a client that
 * stops reading holds one page in the server, not the whole log; live events that pile up for it
 * meanwhile are bounded by `maxQueued` events and `maxQueuedBytes` (each event sized by its JSON)
 * like every other queue here.
 */
import type { EventRecord } from "../../contracts/event-log.ts";
import type { ReadModel } from "../../store/read-model.ts";
import type { LiveEventSource } from "../context.ts";
import { Channel, describeBytes, SlowConsumerError, type SubscriptionTracker } from "./channel.ts";

/** Bytes held for one subscription whose client does not read, before it is ended. */
export const MAX_QUEUED_EVENT_BYTES = 8 * 1024 * 1024;

const sizes = new WeakMap<EventRecord, number>();

/** An event's size as sent (its JSON), computed once: the bus hands one object to every listener. */
export function eventBytes(event: EventRecord): number {
  let size = sizes.get(event);
  if (size === undefined) {
    size = JSON.stringify(event).length;
    sizes.set(event, size);
  }
  return size;
}

export interface EventStreamOptions {
  readModel: ReadModel;
  liveEvents: LiveEventSource;
  tracker: SubscriptionTracker;
  /** Only this job's events; null for every job. */
  jobId: string | null;
  /** Send events with seq strictly greater than this. */
  afterSeq: number;
  replayPageSize?: number;
  /** Most events held for one slow client before it is cut off. */
  maxQueued?: number;
  /** Most bytes of events held for one slow client before it is cut off. */
  maxQueuedBytes?: number;
}

export function openEventStream(options: EventStreamOptions): Channel<EventRecord> {
  const { readModel, liveEvents, tracker, jobId } = options;
  const replayPageSize = options.replayPageSize ?? 100;
  const maxQueued = options.maxQueued ?? 50_000;
  const maxQueuedBytes = options.maxQueuedBytes ?? MAX_QUEUED_EVENT_BYTES;
  let lastSentSeq = options.afterSeq;
  let replaying = true;
  let buffered: EventRecord[] = [];
  let bufferedBytes = 0;
  let overflowedDuringReplay: SlowConsumerError | null = null;

  tracker.opened();
  const channel: Channel<EventRecord> = new Channel<EventRecord>({
    maxQueued,
    maxQueuedBytes,
    sizeOf: eventBytes,
    onClose: () => {
      unsubscribe();
      buffered = [];
      bufferedBytes = 0;
      tracker.closed();
    },
  });

  const send = (event: EventRecord): void => {
    if (event.seq <= lastSentSeq) return;
    lastSentSeq = event.seq;
    channel.push(event);
  };

  const unsubscribe = liveEvents.subscribe((event) => {
    if (jobId !== null && event.jobId !== jobId) return;
    if (!replaying) send(event);
    else if (overflowedDuringReplay) return;
    else if (buffered.length >= maxQueued)
      overflowedDuringReplay = new SlowConsumerError(maxQueued);
    else if (bufferedBytes + eventBytes(event) > maxQueuedBytes)
      overflowedDuringReplay = new SlowConsumerError(describeBytes(maxQueuedBytes));
    else {
      buffered.push(event);
      bufferedBytes += eventBytes(event);
    }
  });

  void (async () => {
    try {
      for (;;) {
        await channel.waitForRoom(0);
        if (channel.closed) return;
        const page = await readModel.listEvents({
          jobId,
          afterSeq: lastSentSeq,
          limit: replayPageSize,
        });
        for (const event of page.rows) send(event);
        if (!page.hasNextPage) break;
      }
      // Buffered events arrive in commit order; the ones the replay already sent are skipped.
      const pending = buffered;
      buffered = [];
      bufferedBytes = 0;
      for (const event of pending) send(event);
      replaying = false;
      if (overflowedDuringReplay) channel.fail(overflowedDuringReplay);
    } catch (error) {
      channel.fail(error);
    }
  })();

  return channel;
}
