/**
 * API keys as the gateway sees them: authentication (401 in the gateway's own
 * shape), scope checks against the resource a call touches, and the
 * introspection endpoint that lets a client learn a key's scopes honestly.
 */
import { z } from "zod";
import { InvalidApiKeyError, type JsonResponse } from "./errors.js";
import type { ApiKeyRecord, EmulatorState, ScopeGrant } from "./state.js";
import { parseBody } from "./validation.js";

export interface ScopeTarget {
  universeId?: string;
  groupId?: string;
  userId?: string;
}

type ScopeFamily = "universeIds" | "groupIds" | "userIds";

/** Which resource list limits a scope: `universe.*` by universe, `group` by group, `user.*` by user. */
function limitingList(scopeName: string): ScopeFamily | undefined {
  if (scopeName === "universe" || scopeName.startsWith("universe.")) return "universeIds";
  if (scopeName === "group" || scopeName.startsWith("group.")) return "groupIds";
  if (scopeName === "user" || scopeName.startsWith("user.")) return "userIds";
  return undefined;
}

function isExpired(key: ApiKeyRecord, now: number): boolean {
  if (key.expired) return true;
  return key.expirationTimeUtc !== undefined && Date.parse(key.expirationTimeUtc) <= now;
}

export function authenticate(state: EmulatorState, header: string | undefined, now: number): ApiKeyRecord {
  const key = header === undefined ? undefined : state.apiKeys.get(header);
  if (key === undefined || !key.enabled || isExpired(key, now)) throw new InvalidApiKeyError();
  return key;
}

/** `required` is `name:operation`, as the spec's `x-roblox-scopes` writes it. */
export function grants(key: ApiKeyRecord, required: string, target: ScopeTarget): boolean {
  const separator = required.lastIndexOf(":");
  const name = required.slice(0, separator);
  const operation = required.slice(separator + 1);
  return key.scopes.some((scope) => {
    if (scope.name !== name || !scope.operations.includes(operation)) return false;
    const list = limitingList(scope.name);
    if (list === undefined) return true;
    const targetId = list === "universeIds" ? target.universeId : list === "groupIds" ? target.groupId : target.userId;
    if (targetId === undefined) return true;
    const allowed = scope[list] ?? ["*"];
    return allowed.includes("*") || allowed.includes(targetId);
  });
}

const introspectBody = z.strictObject({ apiKey: z.string().min(1) });

function describeScope(scope: ScopeGrant): Record<string, unknown> {
  const list = limitingList(scope.name);
  const described: Record<string, unknown> = { name: scope.name, operations: scope.operations };
  if (list !== undefined) described[list] = scope[list] ?? ["*"];
  return described;
}

/**
 * `POST /api-keys/v1/introspect`. The key travels in the body, so a disabled
 * or expired key still introspects (that is how a client warns about it); only
 * a key Roblox does not know at all is refused.
 */
export function introspect(state: EmulatorState, body: unknown, now: number): JsonResponse {
  const { apiKey } = parseBody(introspectBody, body);
  const key = state.apiKeys.get(apiKey);
  if (key === undefined) throw new InvalidApiKeyError();
  return {
    status: 200,
    body: {
      name: key.name,
      authorizedUserId: key.authorizedUserId === undefined ? null : Number(key.authorizedUserId),
      scopes: key.scopes.map(describeScope),
      enabled: key.enabled,
      expired: isExpired(key, now),
      expirationTimeUtc: key.expirationTimeUtc ?? null,
    },
  };
}
