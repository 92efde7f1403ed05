/**
 * Request bodies are refused from their declared size, before a byte of them is read: a request
 * without a valid token may send at most MAX_ANONYMOUS_BODY_BYTES (enough for any operation that
 * needs no token, and for a login), any request at most MAX_BODY_BYTES (a 1 MB score, JSON-escaped,
 * with room to spare). A body of unknown size (chunked) is refused with 411, so the server never
 * has to read a body to learn that it is too large. The rest of a refused body is thrown away as it
 * arrives, for at most DISCARD_MS, then the connection is cut.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { LIMITS } from "./limits.ts";

export const MAX_BODY_BYTES = 4 * LIMITS.maxScoreBytes;
export const MAX_ANONYMOUS_BODY_BYTES = 16 * 1024;
/** graphql-ws messages: the same bound as an HTTP body; larger frames close the socket (1009). */
export const MAX_WEBSOCKET_MESSAGE_BYTES = MAX_BODY_BYTES;

/** How long the rest of a refused body is read and thrown away before the connection is cut. */
const DISCARD_MS = 2_000;

function refuse(
  request: IncomingMessage,
  response: ServerResponse,
  status: 411 | 413,
  code: string,
  message: string,
): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
  // Closing a socket with unread bytes makes the kernel reset it, and a reset can wipe the
  // answer before the client reads it: the rest of the body is drained (thrown away, never
  // buffered) for a moment, then the connection is cut if the body is still coming.
  request.resume();
  const cut = setTimeout(() => request.socket.destroy(), DISCARD_MS);
  cut.unref();
  request.once("end", () => clearTimeout(cut));
  request.once("close", () => clearTimeout(cut));
}

/**
 * Answers and returns true when the request's body is over its limit (or of unknown size);
 * returns false, having read nothing, when the request may go on.
 */
export function refuseOversizedBody(
  request: IncomingMessage,
  response: ServerResponse,
  authenticated: (request: IncomingMessage) => boolean,
): boolean {
  const declared = request.headers["content-length"];
  const chunked = request.headers["transfer-encoding"] !== undefined;
  if (declared === undefined && !chunked) return false;
  if (declared === undefined) {
    refuse(
      request,
      response,
      411,
      "LENGTH_REQUIRED",
      "Request bodies must state their Content-Length; chunked bodies are not accepted",
    );
    return true;
  }
  const bytes = Number(declared);
  const limit = authenticated(request) ? MAX_BODY_BYTES : MAX_ANONYMOUS_BODY_BYTES;
  if (Number.isSafeInteger(bytes) && bytes <= limit) return false;
  const who = limit === MAX_BODY_BYTES ? "" : " for a request without a valid token";
  refuse(
    request,
    response,
    413,
    "PAYLOAD_TOO_LARGE",
    `Request body of ${declared} bytes is over the limit of ${limit} bytes${who}`,
  );
  return true;
}
