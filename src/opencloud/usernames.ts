import type { Caller } from "./call.js";
import { type ResolvedUsername, usernamesSchema } from "./schemas.js";

/** Roblox answers "Too many usernames" above this many per request. */
export const USERNAMES_PER_REQUEST = 100;

/** Usernames to ids through the public users host; no API key involved. */
export class Usernames {
  constructor(private readonly caller: Caller) {}

  /**
   * Keyed by the requested name in lower case (Roblox matches names without
   * regard to case, and previous usernames too). Unknown names are simply absent.
   * `tenant` says whom the lookup is for: every caller shares this host's budget.
   */
  async resolve(
    usernames: readonly string[],
    options: { excludeBannedUsers?: boolean; tenant?: string } = {},
  ): Promise<Map<string, ResolvedUsername>> {
    const byLowerCase = new Map(usernames.map((name) => name.trim()).filter((name) => name !== "").map((name) => [name.toLowerCase(), name]));
    const unique = [...byLowerCase.values()];
    const found = new Map<string, ResolvedUsername>();
    for (let start = 0; start < unique.length; start += USERNAMES_PER_REQUEST) {
      const batch = unique.slice(start, start + USERNAMES_PER_REQUEST);
      const page = await this.caller.call({
        operation: "usernames.resolve",
        host: "users",
        method: "POST",
        path: "/v1/usernames/users",
        body: { usernames: batch, excludeBannedUsers: options.excludeBannedUsers ?? false },
        schema: usernamesSchema,
        tenant: options.tenant,
      });
      for (const user of page.data) found.set(user.requestedUsername.toLowerCase(), user);
    }
    return found;
  }
}
