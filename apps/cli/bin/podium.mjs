#!/usr/bin/env node
// The `podium` command. Sources are TypeScript run through tsx, like the server itself.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
