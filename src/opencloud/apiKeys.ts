import type { Caller } from "./call.js";
import { type RobloxId, toId } from "./ids.js";
import { type KeyIntrospection, introspectionSchema } from "./schemas.js";

/** A permission a key must hold, as Creator Hub names it, for one universe or group. */
export interface ScopeNeed {
  /** `name:operation`, e.g. `universe.user-restriction:write`. */
  scope: string;
  universeId?: RobloxId;
  groupId?: RobloxId;
}

export class ApiKeys {
  constructor(private readonly caller: Caller) {}

  /**
   * What a key may do, before it is saved. The key travels in the body, so a
   * disabled or expired key still answers (with `enabled`/`expired` saying so);
   * a key Roblox does not know at all is an UnauthenticatedError.
   */
  async introspect(apiKey: string): Promise<KeyIntrospection> {
    const secret = apiKey.trim();
    return this.caller.call({
      operation: "apiKeys.introspect",
      host: "openCloud",
      method: "POST",
      path: "/api-keys/v1/introspect",
      body: { apiKey: secret },
      bodySecret: secret,
      schema: introspectionSchema,
    });
  }
}

/** The needs a key does not meet, as `scope` strings; empty when it has everything. */
export function missingScopes(key: KeyIntrospection, needs: readonly ScopeNeed[]): string[] {
  return needs.filter((need) => !meets(key, need)).map((need) => need.scope);
}

function meets(key: KeyIntrospection, need: ScopeNeed): boolean {
  const separator = need.scope.lastIndexOf(":");
  const name = need.scope.slice(0, separator);
  const operation = need.scope.slice(separator + 1);
  const universeId = need.universeId === undefined ? undefined : toId(need.universeId, "universeId");
  const groupId = need.groupId === undefined ? undefined : toId(need.groupId, "groupId");
  return key.scopes.some(
    (scope) =>
      scope.name === name &&
      scope.operations.includes(operation) &&
      covers(scope.universeIds, universeId) &&
      covers(scope.groupIds, groupId),
  );
}

/** Deny by default: a scope that names no universes (or groups) covers none of them. */
function covers(ids: readonly string[], id: string | undefined): boolean {
  return id === undefined || ids.includes("*") || ids.includes(id);
}
