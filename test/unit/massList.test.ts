import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_MASS_ENTRIES, parseMassList } from "../../src/services/massModeration/massList.js";
import { UserError } from "../../src/services/userError.js";

const typed = (text: string) => [{ text, csv: false }];

describe("a mass list as moderators paste it", () => {
  it("splits on spaces, commas, semicolons and new lines, and reads each entry exactly", () => {
    const list = parseMassList(typed("alpha, beta;gamma\r\ndelta  id:156\n@epsilon 100003 007"));
    expect(list.entries).toEqual([
      { kind: "name", name: "alpha", typed: "alpha" },
      { kind: "name", name: "beta", typed: "beta" },
      { kind: "name", name: "gamma", typed: "gamma" },
      { kind: "name", name: "delta", typed: "delta" },
      { kind: "id", id: "156", typed: "id:156" },
      { kind: "name", name: "epsilon", typed: "epsilon" },
      { kind: "digits", digits: "100003", typed: "100003" },
      // Leading zeros are no id Roblox writes: only a name.
      { kind: "name", name: "007", typed: "007" },
    ]);
    expect(list.duplicates).toBe(0);
  });

  it("counts the first column of a CSV only, quoted or not", () => {
    const list = parseMassList([{ text: 'username,reason\n"raider1","spam, lots"\nraider2;exploit\n', csv: true }]);
    expect(list.entries.map((entry) => entry.typed)).toEqual(["username", "raider1", "raider2"]);
  });

  it("collapses a name repeated in any case and an id repeated, and lists what is neither", () => {
    const list = parseMassList(typed("Raider RAIDER raider id:5 id:5 5 x !!! id:0 id:abc"));
    expect(list.entries.map((entry) => entry.typed)).toEqual(["Raider", "id:5", "5"]);
    expect(list.duplicates).toBe(3);
    expect(list.invalid).toEqual(["x", "!!!", "id:0", "id:abc"]);
  });

  it("refuses an empty list, a list of nothing usable, and one over the limit, saying which", () => {
    expect(() => parseMassList(typed(" \n , "))).toThrow(/empty/);
    expect(() => parseMassList(typed("!! ??"))).toThrow(/No entry of the list/);
    const tooMany = Array.from({ length: MAX_MASS_ENTRIES + 1 }, (_, index) => `id:${index + 1}`).join(" ");
    expect(() => parseMassList(typed(tooMany))).toThrow(UserError);
    expect(() => parseMassList(typed(tooMany))).toThrow(String(MAX_MASS_ENTRIES + 1));
  });

  it("never reads a name as an id or an id as a name, whatever the separators", () => {
    const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{2,19}$/);
    const id = fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map(String);
    const separator = fc.constantFrom(" ", ",", ";", "\n", "\r\n", " , ");
    fc.assert(
      fc.property(fc.array(fc.oneof(name, id.map((value) => `id:${value}`)), { minLength: 1, maxLength: 30 }), separator, (entries, sep) => {
        const list = parseMassList(typed(entries.join(sep)));
        const expected = [...new Map(entries.map((entry) => [entry.startsWith("id:") ? entry : entry.toLowerCase(), entry])).values()];
        expect(list.entries.map((entry) => entry.typed)).toEqual(expected);
        for (const entry of list.entries) expect(entry.kind).toBe(entry.typed.startsWith("id:") ? "id" : "name");
        expect(list.duplicates).toBe(entries.length - expected.length);
      }),
    );
  });
});
