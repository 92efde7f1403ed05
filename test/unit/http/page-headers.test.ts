/** The CSP of an HTML page lists its inline scripts by hash, exactly as the browser hashes them. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  BASE_HEADERS,
  dashboardPolicy,
  inlineScriptHashes,
} from "../../../apps/server/src/http/page-headers.ts";

const sha = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

describe("inlineScriptHashes", () => {
  it("hashes each inline script's text and skips scripts loaded from a file", () => {
    const html =
      '<script src="/_next/a.js" async=""></script><script>self.__next_f=[]</script>' +
      '<script id="_R_">\n  run("é")\n</script><script></script><script>self.__next_f=[]</script>';
    expect(inlineScriptHashes(html)).toEqual([sha("self.__next_f=[]"), sha('\n  run("é")\n')]);
  });
});

describe("dashboardPolicy", () => {
  it("allows scripts from this origin and the listed hashes only, and forbids framing", () => {
    const policy = dashboardPolicy(["'sha256-abc'"]);
    expect(policy).toContain("script-src 'self' 'sha256-abc';");
    expect(policy).not.toMatch(/script-src[^;]*unsafe/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
  });

  it("is joined by a frame ban on every response", () => {
    expect(BASE_HEADERS["x-frame-options"]).toBe("DENY");
    expect(BASE_HEADERS["content-security-policy"]).toBe("frame-ancestors 'none'");
  });
});
