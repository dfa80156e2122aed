import { UnexpectedResponseError } from "./errors.js";
import type { OperationName } from "./operations.js";

export interface Page<T> {
  items: T[];
  /** Pass back as `pageToken` for the next page; null on the last page. */
  nextPageToken: string | null;
}

export interface PageOptions {
  /** Roblox clamps it to the list's maximum (100, or 20 for join requests). */
  maxPageSize?: number;
  /** Start from this page instead of the first. */
  pageToken?: string;
}

/**
 * A list call: iterate it for pages, `items()` for single entries, or
 * `page()` for just one page (a "next" button). A page is fetched only when
 * asked for, so breaking out of a loop stops the calls.
 */
export class Paginator<T> implements AsyncIterable<Page<T>> {
  constructor(
    private readonly operation: OperationName,
    private readonly fetchPage: (pageToken: string | undefined) => Promise<Page<T>>,
    private readonly startToken: string | undefined,
  ) {}

  page(): Promise<Page<T>> {
    return this.fetchPage(this.startToken);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Page<T>, void, undefined> {
    let token = this.startToken;
    // A server handing back a token of this walk again (the current one, or A -> B -> A) would otherwise loop for ever.
    const seen = new Set<string | undefined>([token]);
    for (;;) {
      const page = await this.fetchPage(token);
      yield page;
      if (page.nextPageToken === null) return;
      if (seen.has(page.nextPageToken)) {
        throw new UnexpectedResponseError({ operation: this.operation, problem: "the next page token repeats one already read" });
      }
      token = page.nextPageToken;
      seen.add(token);
    }
  }

  async *items(): AsyncGenerator<T, void, undefined> {
    for await (const page of this) yield* page.items;
  }
}

export function toPage<T>(items: T[], nextPageToken: string | undefined): Page<T> {
  return { items, nextPageToken: nextPageToken ? nextPageToken : null };
}
