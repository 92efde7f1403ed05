/**
 * CodeMirror's document type for tests. The editor packages are dependencies of the web app
 * only, so they resolve from its node_modules, not from the repository root.
 */
export { Text } from "../../../../apps/web/node_modules/@codemirror/state/dist/index.js";
