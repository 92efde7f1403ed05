/**
 * graphql-ws over the `ws` library: the transport-free graphql-ws server core (`makeServer`) with
 * a socket adapter of our own. It differs from graphql-ws's stock `useServer` in one way that
 * matters for fan-out: a message is handed to the socket without waiting for the previous one to
 * be flushed to the kernel (the stock adapter waits, so each subscriber gets one message per
 * write round trip). Back-pressure still holds: once a socket has more than
 * SEND_HIGH_WATER_BYTES queued, the stream waits for that socket to flush before pulling the next
 * event, and the subscription's own bounded queue takes over.
 */
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import {
  CloseCode,
  DEPRECATED_GRAPHQL_WS_PROTOCOL,
  handleProtocols,
  makeServer,
  type ServerOptions,
} from "graphql-ws";
import type { WebSocket, WebSocketServer } from "ws";

export const SEND_HIGH_WATER_BYTES = 1024 * 1024;

export interface WsExtra {
  socket: WebSocket;
  request: IncomingMessage;
}

export interface WsTransport {
  dispose(): Promise<void>;
}

function closeReason(error: unknown): string {
  // Close reasons are limited to 123 bytes; details go to the server log instead.
  const message = error instanceof Error ? error.message : String(error);
  return Buffer.byteLength(message) <= 123 ? message : "Internal server error";
}

/**
 * Frames sent during one turn of the event loop leave in one write: the socket is corked at the
 * first send and uncorked in the turn's check phase, after every callback, tick and microtask of
 * the turn. (Uncorking on the next tick is too early: each event of a commit reaches the socket
 * through its own chain of promises, so each would get a write of its own.) A burst of events
 * to a subscriber then costs one system call instead of one per event.
 */
function coalescingWrites(socket: WebSocket): () => void {
  // `ws` keeps the TCP socket on this documented-by-usage field; without it, writes are not batched.
  const tcp = (socket as unknown as { _socket?: Socket })._socket;
  let corked = false;
  return () => {
    if (corked || !tcp || tcp.destroyed) return;
    corked = true;
    tcp.cork();
    setImmediate(() => {
      corked = false;
      if (!tcp.destroyed) tcp.uncork();
    });
  };
}

export function serveGraphQLWs(
  options: ServerOptions<Record<string, unknown> | undefined, WsExtra>,
  wss: WebSocketServer,
  keepAliveMs: number,
  logError: (error: unknown) => void,
): WsTransport {
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;

  wss.on("connection", (socket, request) => {
    socket.once("error", (error) => {
      logError(error);
      socket.close(CloseCode.InternalServerError, closeReason(error));
    });

    // A client that does not answer a ping within one interval is gone: drop it.
    let pongWait: NodeJS.Timeout | null = null;
    const pingInterval =
      keepAliveMs > 0 && Number.isFinite(keepAliveMs)
        ? setInterval(() => {
            if (socket.readyState !== socket.OPEN) return;
            pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
            socket.once("pong", () => {
              if (pongWait) clearTimeout(pongWait);
              pongWait = null;
            });
            socket.ping();
          }, keepAliveMs)
        : null;

    const coalesce = coalescingWrites(socket);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            coalesce();
            if (socket.bufferedAmount < SEND_HIGH_WATER_BYTES) {
              socket.send(data);
              return resolve();
            }
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (callback) =>
          socket.on("message", async (message) => {
            try {
              await callback(String(message));
            } catch (error) {
              logError(error);
              socket.close(CloseCode.InternalServerError, closeReason(error));
            }
          }),
      },
      { socket, request },
    );

    socket.once("close", (code, reason) => {
      if (pongWait) clearTimeout(pongWait);
      if (pingInterval) clearInterval(pingInterval);
      if (
        code === CloseCode.SubprotocolNotAcceptable &&
        socket.protocol === DEPRECATED_GRAPHQL_WS_PROTOCOL
      ) {
        logError(new Error("a client used the unsupported subscriptions-transport-ws protocol"));
      }
      void closed(code, String(reason));
    });
  });

  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, "Going away");
      wss.removeAllListeners("connection");
    },
  };
}
