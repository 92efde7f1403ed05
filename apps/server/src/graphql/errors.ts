/**
 * Expected failures that keep the exact §9 return types are GraphQL errors with a machine-readable
 * `extensions.code`; Yoga passes these through unmasked. Anything else thrown is unexpected and
 * is masked by Yoga as "Unexpected error.".
 */
import { GraphQLError } from "graphql";
import type { CommandError } from "../contracts/commands.ts";

export const ERROR_CODES = [
  "NOT_FOUND",
  "INVALID_STATE",
  "BAD_USER_INPUT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "QUERY_TOO_DEEP",
  "QUERY_TOO_COMPLEX",
  "SUBSCRIBER_TOO_SLOW",
  "SCORE_INVALID",
] as const;
export type GatewayErrorCode = (typeof ERROR_CODES)[number];

export function gatewayError(
  code: GatewayErrorCode,
  message: string,
  extra: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export function notFound(what: string): GraphQLError {
  return gatewayError("NOT_FOUND", `${what} not found`);
}

/** Maps a conductor command error onto the gateway's error codes. */
export function fromCommandError(error: CommandError): GraphQLError {
  switch (error.code) {
    case "NOT_FOUND":
      return gatewayError("NOT_FOUND", error.message);
    case "INVALID_STATE":
      return gatewayError("INVALID_STATE", error.message);
    case "INVALID_INPUT":
      return gatewayError("BAD_USER_INPUT", error.message);
    case "SCORE_INVALID":
      return gatewayError("SCORE_INVALID", error.message, { problems: error.problems ?? [] });
    default: {
      const unknownCode: never = error.code;
      throw new Error(`Unhandled command error code ${String(unknownCode)}`);
    }
  }
}
