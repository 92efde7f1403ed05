/** Scores the browser tests submit: small, offline (`cli` instrument), each shaped for one check. */

/** Four sheets in a row, slow enough to pause between them and to restart the server mid-job. */
export function slowScore(name: string, seconds: number): string {
  return `name: ${name}
instrument: cli
pause_between_sheets_seconds: 0
sheet:
  size: 1
  total_items: 4
prompt:
  template: |
    echo "sheet {{ sheet_num }} starts"
    sleep ${seconds}
    echo "sheet {{ sheet_num }} done"
`;
}

/** Sheet 1 fails with no retries left; with escalation it waits at a fermata for a person. */
export const FERMATA_SCORE = `name: needs-a-decision
instrument: cli
pause_between_sheets_seconds: 0
retry:
  max_retries: 0
sheet:
  size: 1
  total_items: 2
prompt:
  template: |
    {% if sheet_num == 1 %}exit 3{% else %}echo fine{% endif %}
`;

export const BROKEN_SCORE = `name: broken
instrument: cli
not_a_score_key: 1
sheet:
  size: 1
  total_items: 2
prompt:
  template: "echo hi"
`;
export const BROKEN_LINE = 3;
