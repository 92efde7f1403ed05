import { describe, expect, it } from "vitest";
import {
  boundEventData,
  MAX_EVENT_STRING_CHARS,
} from "../../../apps/server/src/store/event-data.ts";

describe("boundEventData", () => {
  it("keeps short values as they are", () => {
    const data = { name: "hello", attempts: 3, ok: true, none: null, list: ["a", 1] };
    expect(boundEventData(data)).toEqual(data);
  });

  it("cuts every long string, however deep, and says how much was cut", () => {
    const long = "n".repeat(MAX_EVENT_STRING_CHARS + 500);
    const bounded = boundEventData({ name: long, nested: { list: [long] } }) as {
      name: string;
      nested: { list: string[] };
    };
    for (const value of [bounded.name, bounded.nested.list[0]!]) {
      expect(value.startsWith("n".repeat(MAX_EVENT_STRING_CHARS))).toBe(true);
      expect(value.endsWith("… [500 more characters]")).toBe(true);
    }
  });

  it("does not change the data it was given", () => {
    const data = { name: "x".repeat(MAX_EVENT_STRING_CHARS * 2) };
    boundEventData(data);
    expect(data.name.length).toBe(MAX_EVENT_STRING_CHARS * 2);
  });
});
