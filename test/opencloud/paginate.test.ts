import { describe, expect, it } from "vitest";
import { UnexpectedResponseError } from "../../src/opencloud/errors.js";
import { Paginator, type Page } from "../../src/opencloud/paginate.js";

/** A list whose server answers each token with the page this table names: a token sequence of our choosing. */
function listAnswering(next: Record<string, string | null>) {
  const asked: (string | undefined)[] = [];
  const paginator = new Paginator<string>(
    "userRestrictions.list",
    async (token): Promise<Page<string>> => {
      asked.push(token);
      if (asked.length > 50) throw new Error("the walk did not stop");
      return { items: [`item after ${token ?? "start"}`], nextPageToken: next[token ?? "start"] ?? null };
    },
    undefined,
  );
  return { paginator, asked };
}

async function walk(paginator: Paginator<string>): Promise<unknown> {
  try {
    for await (const page of paginator) void page;
    return undefined;
  } catch (error) {
    return error;
  }
}

describe("the paginator's walk", () => {
  it("reads every page once and ends on the last", async () => {
    const { paginator, asked } = listAnswering({ start: "A", A: "B", B: null });
    expect(await walk(paginator)).toBeUndefined();
    expect(asked).toEqual([undefined, "A", "B"]);
  });

  it("stops when the next token repeats the current one", async () => {
    const { paginator, asked } = listAnswering({ start: "A", A: "A" });
    const error = await walk(paginator);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(String((error as Error).message)).toContain("repeats");
    expect(asked).toEqual([undefined, "A"]);
  });

  it("stops on a loop through several tokens (A -> B -> A), saying so the same way", async () => {
    const { paginator, asked } = listAnswering({ start: "A", A: "B", B: "A" });
    const error = await walk(paginator);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(String((error as Error).message)).toContain("repeats");
    expect(asked).toEqual([undefined, "A", "B"]);
  });

  it("stops when a token leads back to the one the walk started from", async () => {
    const asked: (string | undefined)[] = [];
    const paginator = new Paginator<string>(
      "userRestrictions.list",
      async (token) => {
        asked.push(token);
        if (asked.length > 50) throw new Error("the walk did not stop");
        return { items: [], nextPageToken: token === "S" ? "A" : "S" };
      },
      "S",
    );
    expect(await walk(paginator)).toBeInstanceOf(UnexpectedResponseError);
    expect(asked).toEqual(["S", "A"]);
  });
});
