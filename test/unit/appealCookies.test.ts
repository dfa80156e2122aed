import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CsrfTokens } from "../../src/web/csrf.js";
import { html } from "../../src/web/html.js";
import { SignedCookie } from "../../src/web/signedCookie.js";
import { deriveWebKey } from "../../src/web/webKeys.js";

const KEY = Buffer.alloc(32, 7);
const NOW = new Date("2026-06-01T12:00:00Z");
const cookie = (key = deriveWebKey(KEY, "appeal session cookie"), secure = false) =>
  new SignedCookie("session", key, z.object({ id: z.string() }), 1_800, { secure, path: "/appeal" });
const valueOf = (setCookie: string) => setCookie.split(";")[0] ?? "";

describe("the signed cookies of the appeal pages", () => {
  it("reads back what it set, with the attributes the issue asks for", () => {
    const header = cookie().set({ id: "156" }, NOW);
    expect(header).toMatch(/^session=[\w-]+\.[\w-]+; Path=\/appeal; Max-Age=1800; HttpOnly; SameSite=Lax$/);
    expect(cookie(undefined, true).set({ id: "156" }, NOW)).toMatch(/; Secure$/);
    expect(cookie().read(`other=1; ${valueOf(header)}`, NOW)).toEqual({ id: "156" });
  });

  it("refuses a cookie changed by a single character, signed with another purpose's key, or expired", () => {
    const header = valueOf(cookie().set({ id: "156" }, NOW));
    fc.assert(
      fc.property(fc.integer({ min: "session=".length, max: header.length - 1 }), fc.constantFrom(..."abcXYZ019-_."), (at, char) => {
        fc.pre(header[at] !== char);
        expect(cookie().read(header.slice(0, at) + char + header.slice(at + 1), NOW)).toBeUndefined();
      }),
    );
    expect(cookie(deriveWebKey(KEY, "appeal sign-in cookie")).read(header, NOW)).toBeUndefined();
    expect(cookie().read(header, new Date(NOW.getTime() + 1_800_000))).toBeUndefined();
    expect(cookie().read(header, new Date(NOW.getTime() + 1_799_000))).toEqual({ id: "156" });
  });

  it("binds CSRF tokens to their session", () => {
    const tokens = new CsrfTokens(deriveWebKey(KEY, "appeal csrf token"));
    expect(tokens.matches("session-a", tokens.tokenFor("session-a"))).toBe(true);
    expect(tokens.matches("session-b", tokens.tokenFor("session-a"))).toBe(false);
    expect(tokens.matches("session-a", undefined)).toBe(false);
    expect(tokens.matches("session-a", "")).toBe(false);
  });
});

describe("the html template", () => {
  it("escapes every interpolated string, so none adds a tag or leaves an attribute", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."<>\"'&a; ="), maxLength: 40 }), (text) => {
        const rendered = html`<p title="${text}">${text}</p>`.text;
        // Only the template's own brackets and quotes are left.
        for (const [char, count] of [["<", 2], [">", 2], ['"', 2], ["'", 0]] as const) expect(rendered.split(char)).toHaveLength(count + 1);
      }),
    );
  });

  it("keeps nested templates as markup", () => {
    expect(html`<div>${html`<b>${"<i>"}</b>`}</div>`.text).toBe("<div><b>&#60;i&#62;</b></div>");
  });
});
