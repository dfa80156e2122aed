import { describe, expect, it } from "vitest";
import { TokenStore } from "../../src/discord/tokenStore.js";
import { UserError } from "../../src/services/userError.js";

describe("token store", () => {
  it("keeps an entry with its invoker until deleted", () => {
    const store = new TokenStore<string>(60_000);
    const { token } = store.add("alice", "ban 156");
    expect(store.get(token)).toMatchObject({ invokerId: "alice", value: "ban 156" });
    store.delete(token);
    expect(store.get(token)).toBeUndefined();
  });

  it("forgets an entry once it expires", () => {
    let now = 0;
    const store = new TokenStore<string>(60_000, () => now);
    const { token, expiresAt } = store.add("alice", "ban 156");
    expect(expiresAt.getTime()).toBe(60_000);
    now = 59_999;
    expect(store.get(token)).toBeDefined();
    now = 60_000;
    expect(store.get(token)).toBeUndefined();
  });

  it("makes tokens the custom-id codec accepts", () => {
    const { token } = new TokenStore<string>(1_000).add("alice", "x");
    expect(token).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });
});

describe("token store bounds", () => {
  const limits = { perInvoker: 2, total: 3 };

  it("replaces a member's oldest entry once they hold their share", () => {
    const store = new TokenStore<string>(60_000, Date.now, limits);
    const first = store.add("alice", "list 1").token;
    const second = store.add("alice", "list 2").token;
    const bobs = store.add("bob", "list b").token;
    const third = store.add("alice", "list 3").token;
    expect(store.get(first)).toBeUndefined();
    expect(store.get(second)?.value).toBe("list 2");
    expect(store.get(third)?.value).toBe("list 3");
    expect(store.get(bobs)?.value).toBe("list b");
  });

  it("refuses a newcomer when full, rather than evicting another member's entry", () => {
    let now = 0;
    const store = new TokenStore<string>(60_000, () => now, limits);
    const kept = ["alice", "bob", "carol"].map((member) => store.add(member, `${member}'s ban`).token);
    expect(() => store.add("mallory", "one more")).toThrow(UserError);
    expect(() => store.add("mallory", "one more")).toThrow(/too many pending buttons/);
    for (const token of kept) expect(store.get(token)).toBeDefined();

    now = 60_000;
    expect(store.add("mallory", "one more").token).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });

  it("holds a flood from one member to their share", () => {
    const store = new TokenStore<string>(60_000);
    const tokens = Array.from({ length: 1_000 }, (_, i) => store.add("mallory", String(i)).token);
    expect(tokens.filter((token) => store.get(token) !== undefined)).toHaveLength(5);
    expect(store.add("alice", "ban 156").token).toBeDefined();
  });
});
