import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeEventCursor,
  decodeJobCursor,
  encodeEventCursor,
  encodeJobCursor,
  pageSize,
} from "../../../apps/server/src/graphql/cursor.ts";

describe("cursors", () => {
  it("round-trip event seqs and job positions", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 2 ** 40 }),
        (seq) => decodeEventCursor(encodeEventCursor(seq)) === seq,
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 41 }), fc.string({ minLength: 1 }), (ms, id) => {
        const position = decodeJobCursor(encodeJobCursor({ createdAt: new Date(ms), id }));
        return position !== null && position.createdAt.getTime() === ms && position.id === id;
      }),
    );
  });

  it("treat an absent cursor as the start", () => {
    expect(decodeEventCursor(null)).toBe(0);
    expect(decodeEventCursor(undefined)).toBe(0);
    expect(decodeJobCursor(null)).toBeNull();
  });

  it("reject a cursor of the wrong kind or garbage with BAD_USER_INPUT naming the argument", () => {
    const jobCursor = encodeJobCursor({ createdAt: new Date(0), id: "j" });
    expect(() => decodeEventCursor(jobCursor)).toThrow(/after: .* is not an event cursor/);
    expect(() => decodeJobCursor(encodeEventCursor(3))).toThrow(/is not a job cursor/);
    try {
      decodeEventCursor("%%%");
      expect.unreachable();
    } catch (error) {
      expect((error as { extensions: unknown }).extensions).toEqual({
        code: "BAD_USER_INPUT",
        argumentName: "after",
      });
    }
  });

  it("bound page sizes", () => {
    expect(pageSize(undefined, 50, 500)).toBe(50);
    expect(pageSize(500, 50, 500)).toBe(500);
    expect(() => pageSize(501, 50, 500)).toThrow("first: must be between 0 and 500, got 501");
    expect(() => pageSize(-1, 50, 500)).toThrow(/got -1/);
  });
});
