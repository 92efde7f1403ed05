import { describe, expect, it } from "vitest";
import {
  compilePythonRegex,
  PythonRegexError,
  translatePythonRegex,
} from "../../../apps/server/src/score/index.ts";
import {
  compileLinearRegex,
  pythonRegexProblem,
  translatePythonRegexToRe2,
} from "../../../apps/server/src/score/regex.ts";

describe("translatePythonRegex", () => {
  it.each([
    ["(?i)error", { source: "error", flags: "i" }],
    ["(?s)START(.+?)END", { source: "START(.+?)END", flags: "s" }],
    ["(?si)a.b", { source: "a.b", flags: "is" }],
    ["(?i)(?m)^x$", { source: "^x$", flags: "im" }],
    ["(?u)plain", { source: "plain", flags: "" }],
    ["(?P<word>\\w+) (?P=word)", { source: "(?<word>\\w+) \\k<word>", flags: "" }],
    ["\\Astart|end\\Z", { source: "(?<![\\s\\S])start|end(?![\\s\\S])", flags: "" }],
    ["[\\A]", { source: "[\\A]", flags: "" }],
    ["rate.?limit", { source: "rate.?limit", flags: "" }],
    ["a(?# a comment)b", { source: "ab", flags: "" }],
  ])("%s", (pattern, expected) => {
    expect(translatePythonRegex(pattern)).toEqual(expected);
  });

  it("strips whitespace and comments in verbose mode, but not inside classes or escapes", () => {
    const { source, flags } = translatePythonRegex("(?x) a b  # comment\n [ ] \\ c");
    expect(source).toBe("ab[ ]\\ c");
    expect(flags).toBe("");
  });

  it("keeps a literal ] right after [ as Python does", () => {
    expect(compilePythonRegex("[]a]+").test("]a]")).toBe(true);
    expect(compilePythonRegex("[^]a]").test("b")).toBe(true);
  });

  it("produces regexes that match like Python's", () => {
    expect(compilePythonRegex("(?i)TOO MANY requests").test("429: too many Requests")).toBe(true);
    expect(
      compilePythonRegex("(?s)FEEDBACK_START(.+?)FEEDBACK_END").exec(
        "FEEDBACK_START\n{}\nFEEDBACK_END",
      )?.[1],
    ).toBe("\n{}\n");
    expect(compilePythonRegex("(?P<n>\\d+)-(?P=n)").test("12-12")).toBe(true);
    expect(compilePythonRegex("(?P<n>\\d+)-(?P=n)").test("12-13")).toBe(false);
    expect(compilePythonRegex("\\Aabc").test("x\nabc")).toBe(false);
  });

  it("rejects global flags that are not at the start, like Python 3.11+", () => {
    expect(() => translatePythonRegex("abc(?i)d")).toThrow(PythonRegexError);
  });

  it("reports patterns that cannot compile", () => {
    expect(() => compilePythonRegex("(unclosed")).toThrow(/Unterminated group/);
  });
});

describe("translatePythonRegexToRe2 (score patterns, linear time)", () => {
  it.each([
    ["(?i)error", "error", "i"],
    ["(?P<word>\\w+) x", "(?P<word>\\w+) x", ""],
    ["\\Astart|end\\Z", "\\Astart|end\\z", ""],
    ["(?si)a(?#note).b", "a.b", "is"],
  ])("%s", (pattern, source, letters) => {
    const translated = translatePythonRegexToRe2(pattern);
    expect(translated.source).toBe(source);
    expect(compileLinearRegex(pattern).flags() !== 0).toBe(letters !== "");
  });

  it("matches like Python, multiline on request", () => {
    expect(compileLinearRegex("(?i)^status: done", "m").matches("x\nStatus: DONE")).toBe(false);
    expect(compileLinearRegex("(?i)^status: done", "m").matcher("x\nStatus: DONE").find()).toBe(
      true,
    );
    expect(compileLinearRegex("\\Aabc").matcher("x\nabc").find()).toBe(false);
    expect(compileLinearRegex("[]a]+").matcher("]a]").find()).toBe(true);
  });

  it("reports back-references and look-around as needing backtracking", () => {
    for (const pattern of ["(?P<n>\\d)(?P=n)", "a(?=b)", "(?<!x)y"]) {
      expect(pythonRegexProblem(pattern), pattern).toMatch(/need backtracking/);
    }
    expect(pythonRegexProblem("(unclosed")).toMatch(/invalid regular expression/);
    expect(pythonRegexProblem("(?i)(risk|unknown)")).toBeNull();
  });
});
