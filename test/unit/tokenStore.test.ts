import { describe, expect, it } from "vitest";
import { TokenStore } from "../../src/discord/tokenStore.js";

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
