/**
 * Wake-ups between processes sharing one PostgreSQL database, over LISTEN/NOTIFY. One dedicated
 * connection (a pooled one would be handed to other work and drop its LISTENs) receives every
 * channel this process listens on. Notifications are hints, never the truth: those sent while the
 * connection is down are lost, so consumers catch up from the database in `onReconnect`.
 */
import pg from "pg";

/** The channels Podium uses. */
export const CHANNELS = {
  /** Payload: the highest seq the notifying transaction appended to the event log. */
  events: "podium_events",
} as const;

const CHANNEL_NAME = /^[a-z_][a-z0-9_]*$/;
/** PostgreSQL truncates identifiers beyond NAMEDATALEN - 1 bytes. */
const MAX_CHANNEL_LENGTH = 63;
/** PostgreSQL refuses payloads of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7999;

export class InvalidChannelError extends Error {
  constructor(readonly channel: string) {
    super(
      `invalid notification channel ${JSON.stringify(channel)}: a channel is a fixed name of ` +
        `lower-case letters, digits and underscores, not starting with a digit, at most ` +
        `${MAX_CHANNEL_LENGTH} characters`,
    );
    this.name = "InvalidChannelError";
  }
}

export class NotificationPayloadTooLongError extends Error {
  constructor(
    readonly channel: string,
    readonly bytes: number,
  ) {
    super(
      `notification payload on channel ${channel} is ${bytes} bytes; PostgreSQL accepts at most ` +
        `${MAX_PAYLOAD_BYTES}`,
    );
    this.name = "NotificationPayloadTooLongError";
  }
}

/** The notifier could not open its first connection. */
export class NotifierUnavailableError extends Error {
  constructor(cause: unknown) {
    super(
      `the notification connection to PostgreSQL could not be opened: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
    this.name = "NotifierUnavailableError";
  }
}

function checkedChannel(channel: string): string {
  if (
    typeof channel !== "string" ||
    channel.length > MAX_CHANNEL_LENGTH ||
    !CHANNEL_NAME.test(channel)
  )
    throw new InvalidChannelError(String(channel));
  return channel;
}

export type NotificationHandler = (payload: string) => void;

export interface PgNotifierOptions {
  connectionString: string;
  /** Told of connection losses, failed reconnects and handlers that threw; nothing is thrown. */
  onError: (error: unknown) => void;
  /** First wait before reconnecting (default 250 ms); doubles per failed attempt. */
  reconnectDelayMs?: number;
  /** Longest wait between reconnect attempts (default 10 s). */
  maxReconnectDelayMs?: number;
  /**
   * How often the connection is asked a trivial query (default 15 s; 0 never); no answer within
   * as long again counts as lost. A LISTEN connection is otherwise idle, and a silently dropped
   * one (a network partition) would deliver nothing, unnoticed, for as long as TCP takes to give up.
   */
  heartbeatMs?: number;
}

export class PgNotifier {
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private readonly reconnectDelayMs: number;
  private readonly maxReconnectDelayMs: number;
  /** The live connection, once connected and until lost. */
  private client: pg.Client | null = null;
  private pid: number | null = null;
  private started = false;
  private connecting = false;
  private closed = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** The last statement sent on the live connection. */
  private lane: Promise<unknown> = Promise.resolve();
  private readonly heartbeatMs: number;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** The connection whose heartbeat is unanswered so far. */
  private beating: pg.Client | null = null;

  constructor(private readonly options: PgNotifierOptions) {
    this.reconnectDelayMs = Math.max(1, options.reconnectDelayMs ?? 250);
    this.maxReconnectDelayMs = Math.max(
      this.reconnectDelayMs,
      options.maxReconnectDelayMs ?? 10_000,
    );
    this.heartbeatMs = Math.max(0, options.heartbeatMs ?? 15_000);
  }

  /** Sends a notification through `client`; inside a transaction it is delivered on COMMIT. */
  static async notify(client: pg.ClientBase, channel: string, payload: string): Promise<void> {
    checkedChannel(channel);
    const bytes = Buffer.byteLength(payload, "utf8");
    if (bytes > MAX_PAYLOAD_BYTES) throw new NotificationPayloadTooLongError(channel, bytes);
    await client.query("SELECT pg_notify($1, $2)", [channel, payload]);
  }

  /** Whether the listening connection is up. */
  get connected(): boolean {
    return this.client !== null;
  }

  /** The server process of the listening connection (null while disconnected). */
  get backendPid(): number | null {
    return this.client === null ? null : this.pid;
  }

  /**
   * Opens the connection and LISTENs on the channels listened so far; rejects with
   * NotifierUnavailableError when this first attempt fails (later losses are reconnected).
   */
  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    this.connecting = true;
    try {
      await this.connect();
    } catch (error) {
      this.started = false;
      if (this.closed) return;
      throw new NotifierUnavailableError(error);
    } finally {
      this.connecting = false;
    }
    if (this.client === null) this.scheduleReconnect();
    if (this.heartbeatMs > 0 && !this.closed) {
      this.heartbeatTimer = setInterval(() => this.heartbeat(), this.heartbeatMs);
      this.heartbeatTimer.unref();
    }
  }

  /**
   * Calls `handler` with the payload of every notification on `channel` while the connection is
   * up. Returns the function that stops it.
   */
  listen(channel: string, handler: NotificationHandler): () => void {
    checkedChannel(channel);
    if (this.closed) return () => undefined;
    let set = this.handlers.get(channel);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(channel, set);
      this.send(`LISTEN "${channel}"`);
    }
    // A wrapper per call, so the same function listened twice is stopped once per call.
    const own: NotificationHandler = (payload) => handler(payload);
    set.add(own);
    return () => {
      const current = this.handlers.get(channel);
      if (current === undefined || !current.delete(own) || current.size > 0) return;
      this.handlers.delete(channel);
      this.send(`UNLISTEN "${channel}"`);
    };
  }

  /** Calls `handler` after each reconnect, once the LISTENs are back in place. */
  onReconnect(handler: () => void): () => void {
    const own = () => handler();
    this.reconnectHandlers.add(own);
    return () => void this.reconnectHandlers.delete(own);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    this.handlers.clear();
    this.reconnectHandlers.clear();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      // A connection silently gone (a lost machine) is noticed instead of waited on forever.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 10_000,
      application_name: "podium-notifier",
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, null));
    client.on("notification", (message) => this.dispatch(message.channel, message.payload ?? ""));
    try {
      await client.connect();
      if (this.closed) throw new Error("the notifier was closed while connecting");
      // The channels are issued in the same turn the connection becomes live, so a `listen`
      // racing with the reconnect is sent either here or by itself, never by neither.
      this.client = client;
      this.lane = Promise.resolve();
      const listens = [...this.handlers.keys()].map((channel) =>
        this.inLane(client, `LISTEN "${channel}"`),
      );
      const pid = this.inLane(client, "SELECT pg_backend_pid() AS pid");
      // Awaited together, so a connection lost midway leaves no rejection unhandled.
      const [backend] = await Promise.all([pid, ...listens]);
      this.pid = (backend.rows[0] as { pid?: number } | undefined)?.pid ?? null;
    } catch (error) {
      if (this.client === client) this.client = null;
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /** The connection errored or ended: drop it and reconnect (once per connection). */
  private lost(client: pg.Client, error: Error | null): void {
    if (this.client !== client) return;
    this.client = null;
    this.pid = null;
    if (this.closed) return;
    this.report(error ?? new Error("the notification connection to PostgreSQL ended"));
    client.end().catch(() => undefined);
    // A silent connection would not finish ending: its socket is dropped rather than waited on.
    client.connection.stream.destroy();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.connecting || this.reconnectTimer !== null) return;
    const delay = Math.min(this.reconnectDelayMs * 2 ** this.failures, this.maxReconnectDelayMs);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.reconnect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    this.connecting = true;
    let ok = true;
    try {
      await this.connect();
    } catch (error) {
      ok = false;
      if (!this.closed) this.report(error);
    } finally {
      this.connecting = false;
    }
    // Lost again before the LISTENs came back counts as a failed attempt.
    if (!ok || this.client === null) {
      this.failures += 1;
      this.scheduleReconnect();
      return;
    }
    this.failures = 0;
    for (const handler of [...this.reconnectHandlers]) this.guarded(handler);
  }

  private heartbeat(): void {
    const client = this.client;
    if (client === null || this.beating === client) return;
    this.beating = client;
    const silent = setTimeout(
      () => this.lost(client, new Error(`no answer to a heartbeat within ${this.heartbeatMs} ms`)),
      this.heartbeatMs,
    );
    silent.unref();
    this.inLane(client, "SELECT 1")
      .catch((error: unknown) =>
        this.lost(client, error instanceof Error ? error : new Error(String(error))),
      )
      .finally(() => {
        clearTimeout(silent);
        if (this.beating === client) this.beating = null;
      });
  }

  /** LISTEN / UNLISTEN on the live connection; a later reconnect re-issues what is listened. */
  private send(statement: string): void {
    const client = this.client;
    if (client === null) return;
    this.inLane(client, statement).catch((error: unknown) => {
      // A lost connection is reported by `lost`; anything else is worth telling.
      if (this.client === client) this.report(error);
    });
  }

  /** One statement at a time on the connection, in the order they were asked for. */
  private inLane(client: pg.Client, statement: string): Promise<pg.QueryResult> {
    const result = this.lane.then(() => client.query(statement));
    this.lane = result.catch(() => undefined);
    return result;
  }

  private dispatch(channel: string, payload: string): void {
    const set = this.handlers.get(channel);
    if (set === undefined) return;
    for (const handler of [...set]) this.guarded(() => handler(payload));
  }

  private guarded(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.report(error);
    }
  }

  private report(error: unknown): void {
    try {
      this.options.onError(error);
    } catch {
      // A failing error reporter must not take the process down with it.
    }
  }
}
