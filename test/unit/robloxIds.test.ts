import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalId } from "../../src/services/robloxIds.js";

const MAX_ID = 2n ** 63n - 1n;

describe("canonicalId", () => {
  it("takes every id from 1 to 2^63-1 as Roblox writes it", () => {
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: MAX_ID }), (id) => {
      expect(canonicalId(String(id))).toBe(String(id));
    }));
    for (const id of ["1", "9", "10", String(MAX_ID), "1000000000000000000"]) expect(canonicalId(id)).toBe(id);
  });

  it("refuses zero, leading zeros and anything past 2^63-1", () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: MAX_ID }), (id) => {
      expect(canonicalId(`0${id}`)).toBeUndefined();
    }));
    fc.assert(fc.property(fc.bigInt({ min: MAX_ID + 1n, max: 10n ** 30n }), (id) => {
      expect(canonicalId(String(id))).toBeUndefined();
    }));
    for (const id of ["0", "00", String(MAX_ID + 1n), "9999999999999999999", "10000000000000000000"]) expect(canonicalId(id)).toBeUndefined();
  });

  it("refuses text that is not only digits, wherever the rest is", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX_ID }), fc.constantFrom(" ", "x", "-", "+", "\n", "."), fc.boolean(), (id, extra, before) => {
        expect(canonicalId(before ? `${extra}${id}` : `${id}${extra}`)).toBeUndefined();
      }),
    );
    for (const text of ["", "-1", "1e3", "0x10", " 1", "1 ", "12a", "１２"]) expect(canonicalId(text)).toBeUndefined();
  });
});
