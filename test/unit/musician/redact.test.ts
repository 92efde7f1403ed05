import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isSecretName, redactSecrets, REDACTED } from "../../../apps/server/src/secrets/redact.ts";

describe("secret redaction", () => {
  const env = {
    OPENAI_API_KEY: "plain-value-of-openai-key",
    GITHUB_TOKEN: "another-token-value",
    DB_PASSWORD: "hunter2hunter2",
    CLIENT_SECRET: "s3cr3t-client",
    HOME: "/home/someone",
    SHORT_KEY: "abc",
  };

  it("replaces values of secret-looking variables", () => {
    const text =
      "key=plain-value-of-openai-key token another-token-value pw hunter2hunter2 cs s3cr3t-client home /home/someone";
    const redacted = redactSecrets(text, env);
    expect(redacted).toBe(
      `key=${REDACTED} token ${REDACTED} pw ${REDACTED} cs ${REDACTED} home /home/someone`,
    );
  });

  it("leaves very short values alone so ordinary words survive", () => {
    expect(redactSecrets("abc abc", env)).toBe("abc abc");
  });

  it.each([
    ["Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", `Authorization: Bearer ${REDACTED}`],
    ["key sk-proj-ABCDEFGHIJKLMNOPQRSTUV123456", `key ${REDACTED}`],
    ["anthropic sk-ant-api03-abcdefghijklmnopqrstuvwxyz", `anthropic ${REDACTED}`],
    ["gh ghp_abcdefghijklmnopqrstuvwxyz0123456789", `gh ${REDACTED}`],
    ["slack xoxb-1234567890-abcdefghij", `slack ${REDACTED}`],
    ["aws AKIAIOSFODNN7EXAMPLE done", `aws ${REDACTED} done`],
  ])("redacts the key format in %s", (text, expected) => {
    expect(redactSecrets(text, {})).toBe(expected);
  });

  it("keeps text without secrets unchanged", () => {
    const text = "sketch the desk; task-force skills; ghost_story";
    expect(redactSecrets(text, env)).toBe(text);
  });

  it("recognises secret variable names", () => {
    expect(isSecretName("ANTHROPIC_API_KEY")).toBe(true);
    expect(isSecretName("AWS_SECRET_ACCESS_KEY")).toBe(true);
    expect(isSecretName("SLACK_TOKEN")).toBe(true);
    expect(isSecretName("PASSWORD")).toBe(true);
    expect(isSecretName("SECRET_KEY_BASE")).toBe(true);
    expect(isSecretName("MONKEY")).toBe(false);
    expect(isSecretName("TOKENIZERS_PARALLELISM")).toBe(false);
    expect(isSecretName("PATH")).toBe(false);
  });
});

describe("secret redaction in one pass", () => {
  // The formats applied one after another, to tell whether a text still holds a key.
  const formats = [
    /\bBearer\s+[A-Za-z0-9\-._~+/]{8,}=*/g,
    /\bsk-(?:ant-|proj-|live-|test-)?[A-Za-z0-9_-]{16,}/g,
    /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
    /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
    /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
    /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
    /\bAIza[A-Za-z0-9_-]{35}\b/g,
    /\bglpat-[A-Za-z0-9_-]{20,}/g,
  ];
  const oneAfterAnother = (text: string): string =>
    formats.reduce(
      (result, format) =>
        result.replace(format, (match) =>
          match.startsWith("Bearer") ? `Bearer ${REDACTED}` : REDACTED,
        ),
      text,
    );
  const pieces = fc.constantFrom(
    "Bearer ",
    "sk-",
    "sk-ant-",
    "ghp_",
    "github_pat_",
    "xoxb-",
    "AKIA",
    "AIza",
    "glpat-",
    " ",
    "-",
    "=",
    "/",
    "ABCDEFGH",
    "abcdefgh12",
    "0123456789ABCDEFGHIJ",
  );

  it("leaves no key of any format behind, and text without one unchanged", () => {
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
        const text = parts.join("");
        const redacted = redactSecrets(text, {});
        expect(oneAfterAnother(redacted)).toBe(redacted);
        if (oneAfterAnother(text) === text) expect(redacted).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it("still redacts the shortest key a format matches", () => {
    expect(redactSecrets("xoxb-0123456789", {})).toBe(REDACTED);
    expect(redactSecrets("Bearer abcdefgh", {})).toBe(`Bearer ${REDACTED}`);
  });
});
