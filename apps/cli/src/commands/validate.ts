/**
 * `podium validate score.yaml`: checks a score offline with the server's own score module (no
 * server needed), printing problems like a compiler, then warnings; exit code 1 on problems.
 */
import path from "node:path";
import { loadInstrumentProfiles } from "../../../server/src/instruments/loader.ts";
import { parseScore } from "../../../server/src/score/index.ts";
import { readYaml } from "../../../server/src/score/yaml.ts";
import { readScoreText } from "../score-file.ts";
import { formatDiagnostic, locate } from "./diagnostics.ts";

/** "sheet.total_sheets: ignored ..." -> ["sheet.total_sheets", "ignored ..."] */
function splitWarning(warning: string): [string, string] {
  const match = /^([\w.-]+): (.*)$/s.exec(warning);
  return match ? [match[1]!, match[2]!] : ["", warning];
}

export function validateCommand(file: string): number {
  const text = readScoreText(file);
  const { profiles } = loadInstrumentProfiles();
  const result = parseScore(text, {
    baseDir: path.dirname(path.resolve(file)),
    knownInstruments: profiles.keys(),
  });
  if (!result.ok) {
    for (const problem of result.problems) {
      console.log(
        formatDiagnostic(
          file,
          locate(text, problem.line, problem.path),
          "error",
          problem.path,
          problem.message,
        ),
      );
    }
    const count = result.problems.length;
    console.log(`${count} ${count === 1 ? "problem" : "problems"} in ${file}`);
    return 1;
  }
  const read = readYaml(text);
  for (const warning of result.warnings) {
    const [keyPath, message] = splitWarning(warning);
    const line = read.ok && keyPath !== "" ? read.lines.lineOf(keyPath.split(".")) : undefined;
    console.log(formatDiagnostic(file, locate(text, line, keyPath), "warning", keyPath, message));
  }
  const warnings = result.warnings.length === 0 ? "" : `, ${result.warnings.length} warnings`;
  console.log(
    `${file}: valid, ${result.sheets.length} sheets in ${result.totalMovements} movements${warnings}`,
  );
  return 0;
}
