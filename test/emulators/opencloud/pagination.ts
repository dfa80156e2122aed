/**
 * List pagination as Open Cloud documents it: `maxPageSize` (default 10,
 * larger values clamped to the method's maximum), an opaque `pageToken`, and
 * `nextPageToken` left out on the last page. A token only works with the same
 * list and the same other parameters that produced it; the specification says
 * "all other parameters ... must match", so `maxPageSize` counts as one.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { invalidArgument } from "./errors.js";

interface Page<T> {
  items: T[];
  nextPageToken: string | undefined;
}

const DEFAULT_PAGE_SIZE = 10;

export class Paginator {
  private readonly secret = randomBytes(32);

  paginate<T>(listPath: string, query: URLSearchParams, items: readonly T[], maxAllowed: number): Page<T> {
    const pageSize = parsePageSize(query.get("maxPageSize"), maxAllowed);
    const context = this.contextOf(listPath, query);
    const token = query.get("pageToken");
    const offset = token === null || token === "" ? 0 : this.readToken(token, context);
    const slice = items.slice(offset, offset + pageSize);
    const next = offset + slice.length;
    return {
      items: slice,
      nextPageToken: next < items.length ? this.writeToken(next, context) : undefined,
    };
  }

  private contextOf(listPath: string, query: URLSearchParams): string {
    const others = [...query.entries()]
      .filter(([name]) => name !== "pageToken")
      .sort(([a], [b]) => a.localeCompare(b));
    return JSON.stringify([listPath, others]);
  }

  private sign(payload: string): Buffer {
    return createHmac("sha256", this.secret).update(payload).digest();
  }

  private writeToken(offset: number, context: string): string {
    const payload = JSON.stringify({ offset, context });
    return `${Buffer.from(payload).toString("base64url")}.${this.sign(payload).toString("base64url")}`;
  }

  private readToken(token: string, context: string): number {
    const [encoded, signature] = token.split(".");
    if (encoded === undefined || signature === undefined) throw invalidArgument("Invalid page token.");
    const payload = Buffer.from(encoded, "base64url").toString();
    const expected = this.sign(payload);
    const given = Buffer.from(signature, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw invalidArgument("Invalid page token.");
    }
    const { offset, context: tokenContext } = JSON.parse(payload) as { offset: number; context: string };
    if (tokenContext !== context) {
      throw invalidArgument("Page token does not match the request: every other parameter must be the same.");
    }
    return offset;
  }
}

function parsePageSize(raw: string | null, maxAllowed: number): number {
  if (raw === null) return DEFAULT_PAGE_SIZE;
  if (!/^-?\d+$/.test(raw)) throw invalidArgument(`Invalid maxPageSize "${raw}".`);
  const size = Number(raw);
  if (size < 0 || size > 2_147_483_647) throw invalidArgument(`Invalid maxPageSize "${raw}".`);
  // proto3 cannot tell 0 from unset, so 0 means the default page size.
  if (size === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(size, maxAllowed);
}
