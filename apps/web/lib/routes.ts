/**
 * Links to the pages that show one job or one sheet. The dashboard is a static build, so the
 * job id and sheet number travel in the query string rather than in the path.
 */

export function jobHref(jobId: string): string {
  return `/job?id=${encodeURIComponent(jobId)}`;
}

export function sheetHref(jobId: string, sheetNum: number): string {
  return `/sheet?job=${encodeURIComponent(jobId)}&num=${sheetNum}`;
}
