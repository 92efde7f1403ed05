/**
 * Small scores bundled with the dashboard, shown when the server offers no examples of its own.
 * They use the `cli` instrument (the prompt is a bash command), so they run anywhere, offline.
 */

export interface ExampleScore {
  name: string;
  text: string;
}

export const BUNDLED_EXAMPLES: readonly ExampleScore[] = [
  {
    name: "hello-pipeline",
    text: `# Three sheets, one after the other. Each prints a line and writes a file.
name: hello-pipeline
description: A three-step pipeline that runs offline with bash.
instrument: cli
pause_between_sheets_seconds: 0
sheet:
  size: 1
  total_items: 3
  descriptions:
    1: gather
    2: transform
    3: report
prompt:
  template: |
    echo "sheet {{ sheet_num }} of {{ total_sheets }}"
    sleep 1
    echo "done {{ sheet_num }}" > step-{{ sheet_num }}.txt
validations:
  - type: file_exists
    path: "{workspace}/step-{sheet_num}.txt"
    description: the sheet wrote its step file
`,
  },
  {
    name: "fan-out",
    text: `# One planning sheet, three parallel voices, then one sheet that merges them.
name: fan-out
instrument: cli
pause_between_sheets_seconds: 0
sheet:
  size: 1
  total_items: 3
  fan_out:
    2: 3
prompt:
  template: |
    echo "movement {{ movement }} voice {{ voice }} of {{ voice_count }}"
    sleep 1
`,
  },
  {
    name: "with-dependencies",
    text: `# Explicit dependencies: sheets 2 and 3 both need 1; sheet 4 needs 2 and 3.
name: with-dependencies
instrument: cli
pause_between_sheets_seconds: 0
sheet:
  size: 1
  total_items: 4
  dependencies:
    2: [1]
    3: [1]
    4: [2, 3]
prompt:
  template: |
    echo "sheet {{ sheet_num }}"
    sleep 1
`,
  },
];
