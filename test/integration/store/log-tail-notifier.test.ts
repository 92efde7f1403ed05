/**
 * The LISTEN/NOTIFY connection (store/postgres/notifier.ts): notifications reach listeners,
 * follow transactions, stop when unlistened, and survive the connection being killed (the
 * LISTENs come back and consumers are told to catch up). PostgreSQL cases run when
 * PODIUM_TEST_POSTGRES_URL names a server and say plainly when they did not.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import net from "node:net";
import pg from "pg";
import {
  InvalidChannelError,
  NotificationPayloadTooLongError,
  NotifierUnavailableError,
  PgNotifier,
} from "../../../apps/server/src/store/postgres/notifier.ts";
import {
  createPostgresDatabase,
  testPostgresUrl,
  type ThrowAwayDatabase,
} from "../../support/databases.ts";

const serverUrl = testPostgresUrl();

/** Resolves when `check` holds, polling; fails with `what` after `ms`. */
async function eventually(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A TCP relay to the server whose current connections can be cut silently, as a network
 * partition does: bytes stop flowing both ways, and no side sees the socket close.
 */
async function partitionableRelay(target: string) {
  const url = new URL(target);
  const pairs = new Set<{ silent: boolean; sockets: net.Socket[] }>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(Number(url.port || 5432), url.hostname);
    const pair = { silent: false, sockets: [inbound, outbound] };
    pairs.add(pair);
    inbound.on("data", (chunk) => void (pair.silent || outbound.write(chunk)));
    outbound.on("data", (chunk) => void (pair.silent || inbound.write(chunk)));
    const close = () => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    for (const socket of pair.sockets) socket.on("close", close).on("error", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const relayed = new URL(target);
  relayed.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url: relayed.toString(),
    partition() {
      for (const pair of pairs) pair.silent = true;
    },
    async close() {
      for (const pair of pairs) for (const socket of pair.sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("notification channels", () => {
  const notifier = new PgNotifier({
    connectionString: "postgresql://nobody@127.0.0.1:1/none",
    onError: () => undefined,
  });

  it.each(["Podium", "podium-events", "1st", "", "a".repeat(64), 'x"; DROP TABLE "Job"; --'])(
    "refuses the channel name %j with an error naming it",
    async (channel) => {
      expect(() => notifier.listen(channel, () => undefined)).toThrow(InvalidChannelError);
      expect(() => notifier.listen(channel, () => undefined)).toThrow(JSON.stringify(channel));
      const client = new pg.Client({ connectionString: "postgresql://nobody@127.0.0.1:1/none" });
      // Refused before anything is sent: the client was never even connected.
      await expect(PgNotifier.notify(client, channel, "1")).rejects.toThrow(InvalidChannelError);
    },
  );

  it("reports an unreachable server at start, as a typed error", async () => {
    const errors: unknown[] = [];
    const unreachable = new PgNotifier({
      connectionString: "postgresql://nobody@127.0.0.1:1/none",
      onError: (error) => errors.push(error),
    });
    await expect(unreachable.start()).rejects.toThrow(NotifierUnavailableError);
    await unreachable.close();
    expect(unreachable.connected).toBe(false);
  });
});

describe.skipIf(serverUrl === null)("the notifier on PostgreSQL", () => {
  let database: ThrowAwayDatabase;
  let admin: pg.Client;
  /** Outside any transaction `admin` is in. */
  let prober: pg.Client;
  const opened: PgNotifier[] = [];
  const errors: unknown[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase(serverUrl!);
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    prober = new pg.Client({ connectionString: database.url });
    await prober.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await prober?.end();
    await database?.drop();
  });
  afterEach(async () => {
    for (const notifier of opened.splice(0)) await notifier.close();
    errors.length = 0;
  });

  async function started(reconnectDelayMs = 20): Promise<PgNotifier> {
    const notifier = new PgNotifier({
      connectionString: database.url,
      onError: (error) => errors.push(error),
      reconnectDelayMs,
    });
    opened.push(notifier);
    await notifier.start();
    return notifier;
  }

  /** A notification sent and one on a probe channel after it, so the first has surely arrived. */
  async function settle(notifier: PgNotifier): Promise<void> {
    let seen = false;
    const stop = notifier.listen("probe", () => (seen = true));
    // The LISTEN is queued on the notifier's connection; a round trip there makes it effective.
    await eventually("the probe LISTEN", () => notifier.connected);
    for (let i = 0; !seen && i < 500; i += 1) {
      await PgNotifier.notify(prober, "probe", "x");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    stop();
    expect(seen).toBe(true);
  }

  it("hands each listener the payloads of its channel, delivered on COMMIT only", async () => {
    const notifier = await started();
    const events: string[] = [];
    const other: string[] = [];
    notifier.listen("podium_events", (payload) => events.push(payload));
    notifier.listen("podium_other", (payload) => other.push(payload));
    await settle(notifier);

    await PgNotifier.notify(admin, "podium_events", "7");
    await admin.query("BEGIN");
    await PgNotifier.notify(admin, "podium_events", "8");
    await settle(notifier);
    expect(events).toEqual(["7"]);
    await admin.query("COMMIT");
    await admin.query("BEGIN");
    await PgNotifier.notify(admin, "podium_events", "rolled back");
    await admin.query("ROLLBACK");
    await PgNotifier.notify(admin, "podium_other", "o");
    await settle(notifier);
    expect(events).toEqual(["7", "8"]);
    expect(other).toEqual(["o"]);
    expect(errors).toEqual([]);
  });

  it("listens on the channels asked for before it started, and is not 'reconnected' by starting", async () => {
    const notifier = new PgNotifier({
      connectionString: database.url,
      onError: (error) => errors.push(error),
    });
    opened.push(notifier);
    const received: string[] = [];
    let reconnects = 0;
    notifier.listen("podium_events", (payload) => received.push(payload));
    notifier.onReconnect(() => (reconnects += 1));
    await notifier.start();
    await settle(notifier);
    await PgNotifier.notify(admin, "podium_events", "1");
    await settle(notifier);
    expect(received).toEqual(["1"]);
    expect(reconnects).toBe(0);
  });

  it("closed while starting, it starts nothing and leaves no connection behind", async () => {
    const notifier = new PgNotifier({
      connectionString: database.url,
      onError: (error) => errors.push(error),
    });
    const starting = notifier.start();
    await notifier.close();
    await expect(starting).resolves.toBeUndefined();
    expect(notifier.connected).toBe(false);
    const name = new URL(database.url).pathname.slice(1);
    async function count(): Promise<number> {
      const rows = await admin.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE application_name = 'podium-notifier' AND datname = $1`,
        [name],
      );
      return rows.rows[0].n as number;
    }
    let leftover = await count();
    for (let i = 0; leftover > 0 && i < 100; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      leftover = await count();
    }
    expect(leftover).toBe(0);
  });

  it("stops a listener when unlistened, keeping the other listeners of the channel", async () => {
    const notifier = await started();
    const first: string[] = [];
    const second: string[] = [];
    const stopFirst = notifier.listen("podium_events", (payload) => first.push(payload));
    const stopSecond = notifier.listen("podium_events", (payload) => second.push(payload));
    await settle(notifier);
    await PgNotifier.notify(admin, "podium_events", "1");
    await settle(notifier);
    stopFirst();
    stopFirst();
    await PgNotifier.notify(admin, "podium_events", "2");
    await settle(notifier);
    stopSecond();
    await PgNotifier.notify(admin, "podium_events", "3");
    await settle(notifier);
    expect(first).toEqual(["1"]);
    expect(second).toEqual(["1", "2"]);
  });

  it("keeps delivering when a listener throws, and reports what it threw", async () => {
    const notifier = await started();
    const received: string[] = [];
    notifier.listen("podium_events", () => {
      throw new Error("listener broke");
    });
    notifier.listen("podium_events", (payload) => received.push(payload));
    await settle(notifier);
    await PgNotifier.notify(admin, "podium_events", "1");
    await settle(notifier);
    expect(received).toEqual(["1"]);
    expect(errors.map((error) => (error as Error).message)).toEqual(["listener broke"]);
  });

  it("refuses a payload PostgreSQL would refuse, with its size", async () => {
    await expect(PgNotifier.notify(admin, "podium_events", "x".repeat(8000))).rejects.toThrow(
      NotificationPayloadTooLongError,
    );
    await expect(PgNotifier.notify(admin, "podium_events", "x".repeat(8000))).rejects.toThrow(
      /8000 bytes/,
    );
  });

  it("reconnects after its connection is killed, listens again and says so", async () => {
    const notifier = await started();
    const received: string[] = [];
    let reconnects = 0;
    notifier.listen("podium_events", (payload) => received.push(payload));
    notifier.onReconnect(() => (reconnects += 1));
    await settle(notifier);

    for (let round = 1; round <= 2; round += 1) {
      const pid = notifier.backendPid;
      expect(pid).not.toBeNull();
      await admin.query("SELECT pg_terminate_backend($1)", [pid]);
      await eventually("the reconnect", () => reconnects === round);
      expect(notifier.connected).toBe(true);
      expect(notifier.backendPid).not.toBe(pid);
      // Listened again before the consumers were told: a notification now arrives.
      await PgNotifier.notify(admin, "podium_events", `after ${round}`);
      await eventually("the notification", () => received.includes(`after ${round}`));
    }
    // The lost connections were reported, not thrown.
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });

  it("notices a connection gone silent by its heartbeat, and reconnects", async () => {
    const relay = await partitionableRelay(database.url);
    try {
      const notifier = new PgNotifier({
        connectionString: relay.url,
        onError: (error) => errors.push(error),
        reconnectDelayMs: 20,
        heartbeatMs: 100,
      });
      opened.push(notifier);
      const received: string[] = [];
      let reconnects = 0;
      notifier.listen("podium_events", (payload) => received.push(payload));
      notifier.onReconnect(() => (reconnects += 1));
      await notifier.start();
      await settle(notifier);
      // Several heartbeats pass on a healthy connection without a reconnect.
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(reconnects).toBe(0);

      relay.partition();
      await PgNotifier.notify(admin, "podium_events", "lost");
      await eventually("the reconnect", () => reconnects === 1);
      expect(errors.map(String).join("\n")).toMatch(/no answer to a heartbeat within 100 ms/);
      await PgNotifier.notify(admin, "podium_events", "after");
      await eventually("the notification after", () => received.includes("after"));
      expect(received).toEqual(["after"]);
    } finally {
      await relay.close();
    }
  });

  it("keeps reconnecting while its connections are killed as they open, and stops on close", async () => {
    const notifier = await started(5);
    let reconnects = 0;
    notifier.onReconnect(() => (reconnects += 1));
    const name = new URL(database.url).pathname.slice(1);
    const until = Date.now() + 300;
    while (Date.now() < until) {
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = 'podium-notifier' AND datname = $1`,
        [name],
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await eventually("the final reconnect", () => notifier.connected && reconnects > 0);
    await notifier.close();
    expect(notifier.connected).toBe(false);
    const after = reconnects;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reconnects).toBe(after);
    const left = await admin.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE application_name = 'podium-notifier' AND datname = $1`,
      [name],
    );
    expect(left.rows[0].n).toBe(0);
  });
});
