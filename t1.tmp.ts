import { readYaml } from "./apps/server/src/score/yaml.ts";
import { scoreSchema } from "./apps/server/src/score/schema/score.ts";
import fs from "node:fs";
for (const f of fs.readdirSync("../shared/upstream/scores")) {
  const r = readYaml(fs.readFileSync("../shared/upstream/scores/" + f, "utf8"));
  if (!r.ok) { console.log(f, r.problems); continue; }
  const p = scoreSchema.safeParse(r.value, { reportInput: true });
  console.log(f, p.success ? "OK" : JSON.stringify(p.error.issues.map(i => [i.path.join("."), i.message, i.code])));
}
const r = readYaml("name: x\nsheet: {size: 0, total_items: a, bogus: 1}\nprompt: {template: a, template_file: b}\nretry: null\non: 1\ncost_limits: {enabled: yes}\nmovements: {a: {}, 0: {}}\nvalidations: [{type: content_regex, path: x, pattern: '(?i)(a'}]\n");
if (r.ok) { const p = scoreSchema.safeParse(r.value, { reportInput: true }); if (!p.success) for (const i of p.error.issues) console.log(i.path.join("."), r.lines.lineOf(i.path as any), i.code, i.message, (i as any).keys ?? "", "input" in i ? JSON.stringify(i.input)?.slice(0,30) : "");}
