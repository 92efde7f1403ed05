/**
 * The score sandbox's worker thread. Templates render in minijinja (a Rust Jinja2 engine compiled
 * to WebAssembly, with its own value model: no template can reach a JavaScript object, a
 * constructor or the process), with an instruction budget ("fuel") and an output budget; user
 * regexes match with RE2 (linear time). The main thread adds a wall-clock budget and ends this
 * thread when it is overrun, so nothing here can stall the server.
 */
import { parentPort } from "node:worker_threads";
import { Environment } from "minijinja-js";
import { RE2JS } from "re2js";
import { JINJA2_FILTERS } from "./jinja-filters.mjs";

const environment = new Environment();
environment.undefinedBehavior = "strict";
environment.enablePyCompat();
// A cli sheet's script keeps its last newline, as it was written.
environment.keepTrailingNewline = true;
for (const [name, filter] of Object.entries(JINJA2_FILTERS)) environment.addFilter(name, filter);

const POSITION = /\(in (.*):(\d+)\)\s*$/;

/**
 * Compiled templates by name and source, oldest use first. A job's sheets share their
 * templates, so most renders skip the parse. Templates that need a prelude (below) are compiled
 * each time: the prelude is part of their source and changes with the data.
 */
const compiled = new Map();
const COMPILED_TEMPLATES = 256;
let compiledCount = 0;

function renderCached(name, template, context) {
  const key = `${name}\0${template}`;
  let registered = compiled.get(key);
  if (registered === undefined) {
    // The name keeps its ending: minijinja picks auto-escaping by it (`.html`).
    registered = `#${compiledCount++}/${name}`;
    environment.addTemplate(registered, template);
    if (compiled.size >= COMPILED_TEMPLATES) {
      const [oldestKey, oldest] = compiled.entries().next().value;
      compiled.delete(oldestKey);
      environment.removeTemplate(oldest);
    }
  } else compiled.delete(key);
  compiled.set(key, registered);
  return environment.renderTemplate(registered, context);
}

function render({ name, template, context, fuel, maxOutputChars }) {
  environment.fuel = fuel;
  const { prelude, rest } = intKeyPrelude(context);
  const output =
    prelude === ""
      ? renderCached(name, template, rest)
      : environment.renderNamedStr(name, prelude + template, rest);
  if (output.length > maxOutputChars) {
    return {
      ok: false,
      budget: true,
      message: `rendered text is ${output.length} characters, over the budget of ${maxOutputChars}`,
      line: null,
    };
  }
  return { ok: true, value: output };
}

const INT_KEY = /^-?(0|[1-9]\d*)$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function hasIntKey(value) {
  if (Array.isArray(value)) return value.some(hasIntKey);
  if (value === null || typeof value !== "object") return false;
  return Object.entries(value).some(([key, item]) => INT_KEY.test(key) || hasIntKey(item));
}

/** A Jinja literal for JSON data, with integer-looking keys as integers. */
function literal(value) {
  if (value === null || value === undefined) return "none";
  if (typeof value === "string") return JSON.stringify(value.toWellFormed());
  if (typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  const items = Object.entries(value).map(
    ([key, item]) => `${INT_KEY.test(key) ? key : literal(key)}: ${literal(item)}`,
  );
  return `{${items.join(", ")}}`;
}

/**
 * In Jinja2, as in the YAML that scores are written in, dicts may have integer keys
 * (`characters[instance]`, `previous_outputs[1]`); a JavaScript object cannot carry them across.
 * Variables holding such dicts are built as literals in front of the template, on its first
 * line, so the template's line numbers are unchanged.
 */
function intKeyPrelude(context) {
  const rest = {};
  let prelude = "";
  for (const [variable, value] of Object.entries(context)) {
    if (IDENTIFIER.test(variable) && hasIntKey(value))
      prelude += `{% set ${variable} = ${literal(value)} %}`;
    else rest[variable] = value;
  }
  return { prelude, rest };
}

function matchRegex({ source, flags, text }) {
  return { ok: true, value: RE2JS.compile(source, flags).matcher(text).find() };
}

parentPort.on("message", (job) => {
  let reply;
  try {
    reply = job.kind === "render" ? render(job) : matchRegex(job);
  } catch (error) {
    const raw = String(error?.message ?? error).split("\n")[0];
    const position = POSITION.exec(raw);
    reply = {
      ok: false,
      budget: /out of fuel/.test(raw),
      // A Rust panic leaves the WebAssembly instance unusable: the main thread replaces this thread.
      fatal: error instanceof WebAssembly.RuntimeError,
      message: position ? raw.slice(0, position.index).trim() : raw,
      line: position ? Number(position[2]) : null,
    };
  }
  parentPort.postMessage({ id: job.id, ...reply });
});

// The main thread's time budget for a job starts once the engine is loaded.
parentPort.postMessage({ ready: true });
