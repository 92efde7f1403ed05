/**
 * Runs the real agent CLIs (root devDependencies) through Podium's built-in profiles against a
 * local model-API stand-in. Each harness has a private HOME holding only what the CLI needs to
 * use the stand-in, a private TMPDIR, and a PATH that finds the CLIs in node_modules/.bin.
 * Nothing here reads or writes the user's real CLI configuration, and no request leaves the
 * machine.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type {
  AttemptRequest,
  PlayingMusician,
  PlayedAttempt,
} from "../../../apps/server/src/contracts/attempt.ts";
import { loadInstrumentProfiles } from "../../../apps/server/src/instruments/loader.ts";
import { BackendPool } from "../../../apps/server/src/instruments/pool.ts";
import { createMusician } from "../../../apps/server/src/musician/musician.ts";
import { ModelApiStandIn } from "../../support/model-api-standin.ts";
import { attemptRequest } from "../execution/helpers.ts";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const CLI_BIN = path.join(REPO_ROOT, "node_modules/.bin");

export type AgentCli = "claude-code" | "codex-cli" | "gemini-cli";

/**
 * Seconds the stand-in asks for in its 429 answer. PODIUM_RELIABILITY=full uses the 20 s of a
 * real provider; the default keeps the suite short while still proving the wait is honoured.
 */
export const RETRY_AFTER_SECONDS = process.env.PODIUM_RELIABILITY === "full" ? 20 : 4;

/** Whatever each CLI needs in its private HOME and environment to talk to the stand-in. */
function configure(cli: AgentCli, home: string, url: string): NodeJS.ProcessEnv {
  switch (cli) {
    case "claude-code":
      return {
        ANTHROPIC_BASE_URL: url,
        ANTHROPIC_API_KEY: "sk-ant-standin",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        DISABLE_AUTOUPDATER: "1",
      };
    case "codex-cli": {
      mkdirSync(path.join(home, ".codex"), { recursive: true });
      writeFileSync(
        path.join(home, ".codex/config.toml"),
        [
          'model_provider = "standin"',
          "[model_providers.standin]",
          'name = "Local stand-in"',
          `base_url = "${url}/v1"`,
          'env_key = "OPENAI_API_KEY"',
          'wire_api = "responses"',
          "",
        ].join("\n"),
      );
      return { OPENAI_API_KEY: "sk-standin" };
    }
    case "gemini-cli":
      mkdirSync(path.join(home, ".gemini"), { recursive: true });
      writeFileSync(
        path.join(home, ".gemini/settings.json"),
        JSON.stringify({ security: { auth: { selectedType: "gemini-api-key" } } }),
      );
      return { GEMINI_API_KEY: "standin-key", GOOGLE_GEMINI_BASE_URL: url };
  }
}

export interface AgentHarness {
  standIn: ModelApiStandIn;
  root: string;
  /** A fresh, empty workspace (no git repository, never trusted before). */
  workspace(): string;
  play(
    request: Partial<AttemptRequest> & { workspace: string },
    onSpawn?: (pgid: number) => void,
  ): Promise<PlayedAttempt>;
  close(): Promise<void>;
}

/**
 * The environment a CLI needs to use the stand-in at `standInUrl`: a private HOME (configured)
 * and TMPDIR under `root`, and a PATH that finds the CLIs in node_modules/.bin.
 */
export function agentEnvironment(
  cli: AgentCli,
  root: string,
  standInUrl: string,
): NodeJS.ProcessEnv {
  const home = path.join(root, "home");
  const tmp = path.join(root, "tmp");
  mkdirSync(home, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  return {
    PATH: `${CLI_BIN}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: home,
    TMPDIR: tmp,
    LANG: "C.UTF-8",
    // Must never reach an agent (minimal child environment).
    PODIUM_TOKEN: "podium-token-not-for-agents",
    DATABASE_URL: "file:/nowhere/podium.db",
    ...configure(cli, home, standInUrl),
  };
}

export async function startAgentHarness(cli: AgentCli): Promise<AgentHarness> {
  const standIn = await new ModelApiStandIn().start();
  const root = mkdtempSync(path.join(tmpdir(), `podium-${cli}-`));
  const env = agentEnvironment(cli, root, standIn.url);
  const { profiles } = loadInstrumentProfiles({ userDirs: [] });
  const pool = new BackendPool({ profiles, env });
  const musician: PlayingMusician = createMusician({ pool });
  let workspaces = 0;
  return {
    standIn,
    root,
    workspace: () => {
      const dir = path.join(root, `ws-${++workspaces}`);
      mkdirSync(dir);
      return dir;
    },
    play: (request, onSpawn) =>
      musician.play(attemptRequest({ instrument: cli, timeoutSeconds: 120, ...request }), {
        signal: new AbortController().signal,
        onSpawn: onSpawn === undefined ? undefined : (pgid) => onSpawn(pgid),
      }),
    close: async () => {
      await pool.close();
      await standIn.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export function prompt(template: string): AttemptRequest["prompt"] {
  return {
    template,
    variables: {},
    previousOutputs: {},
    previousFiles: {},
    failedValidations: [],
    retryNotice: null,
  } as AttemptRequest["prompt"];
}

/** True while any process of the group is alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
