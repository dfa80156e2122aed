import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The token each form carries, bound to the session it was shown in: a page
 * of another site cannot read it, so it cannot post a form in the player's
 * name (SameSite=Lax already keeps the session cookie off its posts; this is
 * the second lock the issue asks for).
 */
export class CsrfTokens {
  constructor(private readonly key: Buffer) {}

  tokenFor(sessionId: string): string {
    return createHmac("sha256", this.key).update(sessionId).digest("base64url");
  }

  matches(sessionId: string, token: string | undefined): boolean {
    if (token === undefined) return false;
    const expected = Buffer.from(this.tokenFor(sessionId));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
