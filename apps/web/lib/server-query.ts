/**
 * One GraphQL request from the Next server to Podium, for data that should be in the first HTML
 * (so the page paints its content at once). Never throws: a server that is down or slow simply
 * means the page starts empty and the browser fetches the data itself.
 */
import { print } from "graphql";
import type { TadaDocumentNode } from "gql.tada";
import { authorizationHeader, type PodiumEndpoint } from "./config.ts";

const SERVER_QUERY_TIMEOUT_MS = 800;

export async function serverQuery<Data, Variables>(
  endpoint: PodiumEndpoint,
  document: TadaDocumentNode<Data, Variables>,
  variables: Variables,
): Promise<Data | null> {
  try {
    const response = await fetch(endpoint.httpUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...authorizationHeader(endpoint.token) },
      body: JSON.stringify({ query: print(document), variables }),
      signal: AbortSignal.timeout(SERVER_QUERY_TIMEOUT_MS),
      cache: "no-store",
    });
    if (!response.ok) return null;
    const body = (await response.json()) as { data?: Data | null; errors?: unknown[] };
    return body.errors?.length ? null : (body.data ?? null);
  } catch {
    return null;
  }
}
