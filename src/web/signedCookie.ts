import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * A value kept in the browser that the browser cannot change: JSON, its
 * expiry inside, signed with HMAC-SHA256. State lives here rather than in
 * this process's memory because several processes may serve one deployment.
 */
export class SignedCookie<T extends z.ZodType> {
  constructor(
    readonly name: string,
    private readonly key: Buffer,
    private readonly schema: T,
    private readonly maxAgeSeconds: number,
    private readonly attributes: { secure: boolean; path: string },
  ) {}

  /** The Set-Cookie header that stores `value` for maxAgeSeconds. */
  set(value: z.input<T>, now: Date): string {
    const payload = Buffer.from(JSON.stringify({ value, exp: Math.floor(now.getTime() / 1000) + this.maxAgeSeconds })).toString("base64url");
    return this.#header(`${payload}.${this.#mac(payload)}`, this.maxAgeSeconds);
  }

  /** The Set-Cookie header that removes it. */
  clear(): string {
    return this.#header("", 0);
  }

  /** The value, when the request carries an intact, unexpired one. */
  read(cookieHeader: string | undefined, now: Date): z.output<T> | undefined {
    const raw = readCookie(cookieHeader, this.name);
    const [payload, mac, extra] = raw?.split(".") ?? [];
    if (payload === undefined || mac === undefined || extra !== undefined) return undefined;
    const expected = Buffer.from(this.#mac(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    const envelope = envelopeSchema.safeParse(parseJson(Buffer.from(payload, "base64url").toString("utf8")));
    if (!envelope.success || envelope.data.exp * 1000 <= now.getTime()) return undefined;
    const value = this.schema.safeParse(envelope.data.value);
    return value.success ? value.data : undefined;
  }

  #mac(payload: string): string {
    return createHmac("sha256", this.key).update(`${this.name}=${payload}`).digest("base64url");
  }

  #header(value: string, maxAge: number): string {
    const secure = this.attributes.secure ? "; Secure" : "";
    return `${this.name}=${value}; Path=${this.attributes.path}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`;
  }
}

const envelopeSchema = z.object({ value: z.unknown(), exp: z.number() });

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const separator = part.indexOf("=");
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
