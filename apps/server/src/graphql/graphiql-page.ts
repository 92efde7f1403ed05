/**
 * GraphiQL's page with a Content-Security-Policy that fits it: the page is rendered by
 * @graphql-yoga/render-graphiql with its scripts inline (no CDN), so the policy lists their hashes,
 * computed once from the rendered HTML.
 */
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import type { Plugin } from "graphql-yoga";
import { graphiqlPolicy, inlineScriptHashes } from "../http/page-headers.ts";

export function graphiqlWithPolicy(): {
  render: typeof renderGraphiQL;
  plugin: Plugin;
} {
  let rendered: { html: string; policy: string } | null = null;
  return {
    render(options) {
      const html = renderGraphiQL(options);
      if (rendered?.html !== html)
        rendered = { html, policy: graphiqlPolicy(inlineScriptHashes(html)) };
      return html;
    },
    plugin: {
      onResponse({ response }) {
        if (rendered && response.headers.get("content-type")?.startsWith("text/html")) {
          response.headers.set("content-security-policy", rendered.policy);
        }
      },
    },
  };
}
