import { describe, expect, it } from "vitest";
import { PendingConfirmations } from "../../src/discord/pendingConfirmations.js";

describe("pending confirmations", () => {
  it("hand the action to its invoker once", () => {
    const confirmations = new PendingConfirmations<string>(60_000);
    const { token } = confirmations.add("alice", "ban 156");
    expect(confirmations.take(token, "bob")).toBe("not-yours");
    expect(confirmations.take(token, "alice")).toEqual({ value: "ban 156" });
    expect(confirmations.take(token, "alice")).toBe("expired");
  });

  it("expire", () => {
    let now = 0;
    const confirmations = new PendingConfirmations<string>(60_000, () => now);
    const { token, expiresAt } = confirmations.add("alice", "ban 156");
    expect(expiresAt.getTime()).toBe(60_000);
    now = 60_000;
    expect(confirmations.take(token, "alice")).toBe("expired");
  });

  it("make tokens the custom-id codec accepts", () => {
    const { token } = new PendingConfirmations<string>(1_000).add("alice", "x");
    expect(token).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });
});
