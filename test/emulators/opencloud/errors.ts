/**
 * The three error shapes Roblox answers with: the Open Cloud v2 status
 * (`{code, message, details}`), the API gateway's rejection of a key, and the
 * legacy hosts' `{errors: [{code, message}]}`. Handlers throw; the server
 * turns the throw into the right body so no handler formats errors itself.
 */

const STATUS_BY_CODE = {
  INVALID_ARGUMENT: 400,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ABORTED: 409,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type RpcCode = keyof typeof STATUS_BY_CODE;

export interface JsonResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: RpcCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = STATUS_BY_CODE[code];
  }

  toResponse(): JsonResponse {
    return { status: this.status, body: v2ErrorBody(this.code, this.message), headers: this.headers };
  }
}

/** The gateway rejects a key before any service sees the call, in its own format. */
export class InvalidApiKeyError extends Error {
  constructor() {
    super("Invalid API Key");
  }

  toResponse(): JsonResponse {
    return { status: 401, body: { errors: [{ code: 0, message: "Invalid API Key" }] } };
  }
}

export class LegacyError extends Error {
  constructor(
    readonly status: number,
    readonly legacyCode: number,
    message: string,
  ) {
    super(message);
  }

  toResponse(): JsonResponse {
    return { status: this.status, body: { errors: [{ code: this.legacyCode, message: this.message }] } };
  }
}

export function v2ErrorBody(code: RpcCode, message: string): { code: RpcCode; message: string; details: unknown[] } {
  return { code, message, details: [] };
}

export const invalidArgument = (message: string) => new ApiError("INVALID_ARGUMENT", message);
export const notFound = (message: string) => new ApiError("NOT_FOUND", message);
export const permissionDenied = (message: string) => new ApiError("PERMISSION_DENIED", message);
