// `npm run setup`: install, generate and build without starting anything.
import { setup, log } from "./lib.mjs";

setup({ web: !process.argv.includes("--no-web") });
log("ready");
