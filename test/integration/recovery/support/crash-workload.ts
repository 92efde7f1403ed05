/**
 * The crash test's workload: a `cli` score whose sheets log `<sheet> <run> start|end|killed <ms>`
 * to a counter file per sheet, so the test can rebuild every run's interval afterwards.
 *
 * The scripts drop their stdout and stderr first: an orphan's pipes have lost their reader, and
 * bash would die of SIGPIPE reporting its killed `sleep` before its TERM trap could log the kill.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export const SHEETS = 12;

/** Sheet 1 fans out to 2..4; 5 joins them; 6..12 follow in a line. Sheet 3 fails once first. */
export function crashScore(): string {
  return `name: crash-workload
instrument: cli
pause_between_sheets_seconds: 0
parallel:
  enabled: true
  max_concurrent: 3
retry:
  max_retries: 3
  base_delay_seconds: 0.1
  max_delay_seconds: 0.2
  jitter: false
sheet:
  size: 1
  total_items: ${SHEETS}
  dependencies:
    2: [1]
    3: [1]
    4: [1]
    5: [2, 3, 4]
    6: [5]
    7: [6]
    8: [7]
    9: [8]
    10: [9]
    11: [10]
    12: [11]
prompt:
  template: |
    exec >/dev/null 2>&1
    mkdir -p counters
    log=counters/{{ sheet_num }}.log
    run="$$-$RANDOM$RANDOM"
    now() { date +%s%3N; }
    trap 'echo "{{ sheet_num }} $run killed $(now)" >> "$log"; exit 143' TERM
    echo "{{ sheet_num }} $run start $(now)" >> "$log"
    sleep 0.$(( 2 + RANDOM % 4 ))
    {% if sheet_num == 3 %}
    if [ ! -e failed-once ]; then touch failed-once; echo "{{ sheet_num }} $run end $(now)" >> "$log"; exit 1; fi
    {% endif %}
    echo "{{ sheet_num }} $run end $(now)" >> "$log"
`;
}

export interface Run {
  sheet: number;
  run: string;
  start: number;
  /** End or kill time; null when the run left no trace of its end (SIGKILLed). */
  end: number | null;
  ended: "end" | "killed" | null;
}

export function readRuns(workspace: string): Map<number, Run[]> {
  const runs = new Map<number, Run[]>();
  const dir = path.join(workspace, "counters");
  if (!existsSync(dir)) return runs;
  for (const file of readdirSync(dir)) {
    const byRun = new Map<string, Run>();
    for (const line of readFileSync(path.join(dir, file), "utf8").split("\n")) {
      const [sheetText, run, kind, msText] = line.trim().split(" ");
      if (!sheetText || !run || !kind || !msText) continue;
      const sheet = Number(sheetText);
      const ms = Number(msText);
      const entry = byRun.get(run) ?? { sheet, run, start: Number.NaN, end: null, ended: null };
      if (kind === "start") entry.start = ms;
      else if (kind === "end" || kind === "killed") {
        entry.end = ms;
        entry.ended = kind;
      }
      byRun.set(run, entry);
    }
    // A run ended in the instant between setting its trap and logging its start (its server
    // died and the spawner helper ended it at once) did none of its work: it is no run.
    const list = [...byRun.values()]
      .filter((run) => !(Number.isNaN(run.start) && run.ended === "killed"))
      .sort((a, b) => a.start - b.start);
    if (list.length > 0) runs.set(list[0]!.sheet, list);
  }
  return runs;
}
