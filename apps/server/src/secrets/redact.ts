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
  /\bBearer\s+[A-Za-z0-9\-._~+/]{8,}=*/,
  /\bsk-(?:ant-|proj-|live-|test-)?[A-Za-z0-9_-]{16,}/,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/,
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/,
  /\bAIza[A-Za-z0-9_-]{35}\b/,
  /\bglpat-[A-Za-z0-9_-]{20,}/,
];

/**
 * Every key format in one pattern, so a text is scanned once (every stored string goes through
 * here). The formats begin with different literals, so no two can match at the same place.
 */
const ANY_KEY_FORMAT = new RegExp(KEY_FORMATS.map((format) => format.source).join("|"), "g");

/** No key format matches fewer characters ("xoxb-" and ten more, "Bearer " and eight more). */
const SHORTEST_KEY_FORMAT = 15;

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
  const shortestValue = values.reduce(
    (shortest, value) => Math.min(shortest, value.length),
    Infinity,
  );
  return (text) => {
    let result = text;
    if (result.length >= shortestValue) {
      for (const value of values) {
        if (result.includes(value)) result = result.split(value).join(REDACTED);
      }
    }
    if (result.length < SHORTEST_KEY_FORMAT) return result;
    return result.replace(ANY_KEY_FORMAT, (match) =>
      match.startsWith("Bearer") ? `Bearer ${REDACTED}` : REDACTED,
    );
  };
}

export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return createRedactor(env)(text);
}
