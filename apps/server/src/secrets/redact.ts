/**
 * Removes secrets from text before it is stored or published: the values of environment
 * variables whose names mark them as secret, bearer tokens, and well-known key formats.
 */
export const REDACTED = "[REDACTED]";

/** Names like OPENAI_API_KEY, GITHUB_TOKEN, CLIENT_SECRET, DB_PASSWORD, AWS_SECRET_ACCESS_KEY. */
const SECRET_NAME =
  /(?:^|_)(?:KEY|APIKEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$|(?:^|_)(?:SECRET|PASSWORD|TOKEN)_/i;

/** Values shorter than this are not redacted by value: "1" or "true" would wreck every text. */
const MIN_SECRET_VALUE_LENGTH = 6;

const KEY_FORMATS: RegExp[] = [
  /\bBearer\s+[A-Za-z0-9\-._~+/]{8,}=*/g,
  /\bsk-(?:ant-|proj-|live-|test-)?[A-Za-z0-9_-]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  /\bAIza[A-Za-z0-9_-]{35}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g,
];

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Secret values of `env`, longest first (so a secret containing another is replaced whole). */
export function secretValues(env: NodeJS.ProcessEnv): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.length >= MIN_SECRET_VALUE_LENGTH && isSecretName(name)) {
      values.add(value);
    }
  }
  return [...values].sort((a, b) => b.length - a.length);
}

export type Redact = (text: string) => string;

/** A redaction over `env`'s secrets as they are now (read once, not on every text). */
export function createRedactor(env: NodeJS.ProcessEnv = process.env): Redact {
  const values = secretValues(env);
  return (text) => {
    let result = text;
    for (const value of values) {
      if (result.includes(value)) result = result.split(value).join(REDACTED);
    }
    for (const format of KEY_FORMATS) {
      result = result.replace(format, (match) =>
        match.startsWith("Bearer") ? `Bearer ${REDACTED}` : REDACTED,
      );
    }
    return result;
  };
}

export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return createRedactor(env)(text);
}
