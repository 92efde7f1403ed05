/**
 * Several real Podium server processes on one throw-away PostgreSQL database, each with its own
 * name and data folder, for the scale-out suites. Scores keep their workspaces in one shared
 * folder, as processes on several machines would on shared storage.
 */
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { removeDataDir, startServerProcess, type ServerProcess } from "./server-process.ts";
import type { Endpoint } from "./client.ts";

export interface Member {
  name: string;
  dataDir: string;
  server: ServerProcess | null;
  env: NodeJS.ProcessEnv;
}

export class TestCluster {
  readonly members = new Map<string, Member>();
  readonly pool: pg.Pool;
  readonly shared = mkdtempSync(path.join(tmpdir(), "podium-cluster-"));

  constructor(
    readonly databaseUrl: string,
    private readonly baseEnv: NodeJS.ProcessEnv,
  ) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  }

  /** Starts (or restarts) a member; `env` (kept for restarts) may give it its own DATABASE_URL. */
  async start(name: string, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
    let member = this.members.get(name);
    if (member === undefined) {
      member = {
        name,
        dataDir: mkdtempSync(path.join(tmpdir(), `podium-${name}-`)),
        server: null,
        env,
      };
      this.members.set(name, member);
    }
    member.server = await startServerProcess({
      dataDir: member.dataDir,
      env: {
        ...this.baseEnv,
        DATABASE_URL: this.databaseUrl,
        ...member.env,
        PODIUM_PROCESS_NAME: name,
      },
    });
    return member.server;
  }

  /** SIGKILL: the process has no chance to release anything. */
  async kill(name: string): Promise<void> {
    const member = this.members.get(name)!;
    const server = member.server;
    if (server === null) return;
    server.kill("SIGKILL");
    await server.exited;
    member.server = null;
  }

  live(): ServerProcess[] {
    return [...this.members.values()].flatMap((m) => (m.server === null ? [] : [m.server]));
  }

  endpoint(name?: string): Endpoint {
    const server = name === undefined ? this.live()[0]! : this.members.get(name)!.server!;
    return { url: server.url, wsUrl: server.wsUrl };
  }

  /** The process holding the most leases of unfinished jobs, per the database. */
  async busiestOwner(): Promise<string | null> {
    const rows = await this.pool.query<{ owner: string }>(
      `SELECT l.owner FROM "JobLease" l JOIN "Job" j ON j.id = l."jobId"
       WHERE j.status IN ('pending', 'running') AND l."expiresAt" > now()
       GROUP BY l.owner ORDER BY count(*) DESC, l.owner LIMIT 1`,
    );
    return rows.rows[0]?.owner ?? null;
  }

  output(): string {
    return [...this.members.values()]
      .map((m) => `--- ${m.name} ---\n${m.server?.output() ?? "(not running)"}`)
      .join("\n");
  }

  async close(): Promise<void> {
    for (const member of this.members.values()) {
      await member.server?.stop();
      member.server = null;
      removeDataDir(member.dataDir);
    }
    await this.pool.end();
  }
}

/** Lines of a file in a workspace (missing file: none). */
export function linesOf(workspace: string, file: string): string[] {
  const full = path.join(workspace, file);
  if (!existsSync(full)) return [];
  return readFileSync(full, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
}

/**
 * Independent sheets, each holding an exclusive `flock` on its own lock file while it runs: an
 * attempt that finds the lock taken (another attempt of the same sheet still running) records
 * it in overlaps.txt. The kernel drops a lock when its holder dies, so a killed attempt never
 * counts. Each run records its start (ms) in started.txt and its end in counter.txt.
 */
export function lockedScore(name: string, workspace: string, sheets: number, seconds: number) {
  return `name: ${name}
instrument: cli
workspace: ${workspace}
pause_between_sheets_seconds: 0
parallel:
  enabled: true
  max_concurrent: 2
sheet:
  size: 1
  total_items: ${sheets}
  dependencies:
    2: [1]
prompt:
  template: |
    exec 9>"lock-{{ sheet_num }}"
    if ! flock -n 9; then echo "{{ sheet_num }}" >> overlaps.txt; exit 3; fi
    echo "{{ sheet_num }} $(date +%s%3N)" >> started.txt
    sleep ${seconds}
    echo "{{ sheet_num }}" >> counter.txt
`;
}
