/**
 * How an Open Cloud call travels through the gateway: find the method,
 * authenticate the key (401), check the path ids are ids (400), spend the
 * budgets (429), check the scope (403, or the scope trap), then let the
 * method's handler validate and answer (400/404/200).
 */
import { authenticate, grants, type ScopeTarget } from "./apiKeys.js";
import { ApiError, invalidArgument, notFound, permissionDenied, type JsonResponse } from "./errors.js";
import type { Paginator } from "./pagination.js";
import type { OperationName, RateLimiter } from "./rateLimits.js";
import type { ApiKeyRecord, EmulatorState } from "./state.js";
import { requireId } from "./validation.js";

export interface CloudRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON; undefined when the request had no body. */
  body: unknown;
  key: ApiKeyRecord;
  /**
   * The key may read but not write, and the scope trap is on: the handler
   * validates as usual, then answers the unchanged resource and applies nothing.
   */
  dryRun: boolean;
}

export interface CloudRoute {
  method: "GET" | "POST" | "PATCH";
  /** Matched against the decoded path; named groups become `params`. */
  pattern: RegExp;
  operation: OperationName;
  /** Whether the call changes state (applyThenFail only hits writes). */
  write: boolean;
  /** The spec's `x-roblox-scopes` when it makes the scope mandatory; absent when any valid key may call. */
  scope?: (params: Record<string, string>) => { required: string; target: ScopeTarget };
  /** For a write whose missing scope is answered 200 unchanged when the key can read. */
  trapReadScope?: string;
  /** Which universe and player the per-universe budgets count. */
  rateScope?: (params: Record<string, string>) => { universeId?: string; userId?: string };
  handle: (request: CloudRequest) => JsonResponse;
}

export interface RouteDeps {
  state: EmulatorState;
  paginator: Paginator;
  now: () => number;
}

export interface GatewayOptions {
  enforceRateLimits: boolean;
  scopeTrap: boolean;
}

export interface Dispatched {
  response: JsonResponse;
  route: CloudRoute | undefined;
  key: ApiKeyRecord | undefined;
  dryRun: boolean;
}

/** Path parameters that are Roblox numeric ids; membership and operation ids are opaque. */
const NUMERIC_PARAMS = new Set(["universeId", "placeId", "userId", "groupId", "roleId"]);

function matchRoute(
  routes: readonly CloudRoute[],
  method: string,
  path: string,
): { route: CloudRoute; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match !== null) return { route, params: { ...match.groups } };
  }
  return undefined;
}

export function dispatchCloud(
  deps: RouteDeps,
  limiter: RateLimiter,
  options: GatewayOptions,
  routes: readonly CloudRoute[],
  call: { method: string; path: string; query: URLSearchParams; body: unknown; apiKeyHeader: string | undefined },
): Dispatched {
  const matched = matchRoute(routes, call.method, call.path);
  if (matched === undefined) throw notFound(`No method ${call.method} ${call.path}.`);
  const { route, params } = matched;
  const key = authenticate(deps.state, call.apiKeyHeader, deps.now());
  for (const [name, value] of Object.entries(params)) {
    if (NUMERIC_PARAMS.has(name)) requireId(value, name);
  }
  const rateHeaders = options.enforceRateLimits
    ? limiter.admit({
        operation: route.operation,
        ownerKey: `${key.ownerType}:${key.ownerId}`,
        ...route.rateScope?.(params),
      })
    : {};
  let dryRun = false;
  const scope = route.scope?.(params);
  if (scope !== undefined && !grants(key, scope.required, scope.target)) {
    const canRead = route.trapReadScope !== undefined && grants(key, route.trapReadScope, scope.target);
    if (!(options.scopeTrap && canRead)) {
      throw permissionDenied(`The API key lacks the scope ${scope.required} for this resource.`);
    }
    dryRun = true;
  }
  let response: JsonResponse;
  try {
    response = route.handle({ params, query: call.query, body: call.body, key, dryRun });
  } catch (error) {
    // A refused call still spent its budget, and says so like any other answer.
    if (error instanceof ApiError) throw new ApiError(error.code, error.message, { ...rateHeaders, ...error.headers });
    throw error;
  }
  return { response: { ...response, headers: { ...rateHeaders, ...response.headers } }, route, key, dryRun };
}

export const ok = (body: unknown): JsonResponse => ({ status: 200, body });

/** POST bodies in the spec are required; a missing one is as wrong as a malformed one. */
export function requireBody(body: unknown): unknown {
  if (body === undefined) throw invalidArgument("A request body is required.");
  return body;
}
