import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";

/** Roblox's OAuth 2.0 gives no single answer in time: a sign-in that hangs is better abandoned than waited on. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Who a player proves to be, and their name to greet them: no Roblox resource is needed. */
const SCOPES = "openid profile";

/** What the sign-in keeps between sending the browser to Roblox and its return. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
}

export interface RobloxIdentity {
  /** The Roblox user id: `sub`, the only stable identifier. */
  id: string;
  name: string | null;
}

/** A refusal of the sign-in: what the player is told is always the same, the detail goes to the log. */
export class SignInError extends Error {
  override name = "SignInError";
}

const tokenSchema = z.object({ access_token: z.string().min(1), id_token: z.string().min(1), token_type: z.string() });
const userinfoSchema = z.object({ sub: z.string().regex(/^\d{1,20}$/), preferred_username: z.string().nullish(), name: z.string().nullish() });
const idTokenClaims = z.object({ sub: z.string(), aud: z.union([z.string(), z.array(z.string())]), nonce: z.string().optional(), exp: z.number() });

/**
 * The authorization code flow with PKCE (S256), `state` and `nonce`, against
 * Roblox's OAuth 2.0 (OAUTH.md). Hand-written rather than a library: the
 * project takes no new dependency for it, and the flow needs only the steps
 * below. The ID token arrives straight from the token endpoint over TLS, so
 * its claims are checked (audience, nonce, subject, expiry) and its signature
 * is not (OpenID Connect Core 3.1.3.7 allows that for this channel).
 */
export class RobloxOAuthClient {
  constructor(
    private readonly options: { oauthUrl: string; clientId: string; clientSecret: string; redirectUri: string },
  ) {}

  /** A fresh state, nonce and verifier, and the URL that sends the browser to Roblox with them. */
  begin(): { pending: PendingSignIn; authorizeUrl: string } {
    const pending = { state: randomToken(), nonce: randomToken(), verifier: randomToken() };
    const url = new URL(`${this.options.oauthUrl}/v1/authorize`);
    url.search = new URLSearchParams({
      client_id: this.options.clientId,
      redirect_uri: this.options.redirectUri,
      scope: SCOPES,
      response_type: "code",
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: createHash("sha256").update(pending.verifier).digest("base64url"),
      code_challenge_method: "S256",
    }).toString();
    return { pending, authorizeUrl: url.toString() };
  }

  /** Redeems the code, checks the ID token against the pending sign-in, and asks userinfo who signed in. Tokens are then dropped. */
  async finish(pending: PendingSignIn, code: string): Promise<RobloxIdentity> {
    const tokens = tokenSchema.safeParse(
      await this.#call("token", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`).toString("base64")}`,
        },
        body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: this.options.redirectUri, code_verifier: pending.verifier }),
      }),
    );
    if (!tokens.success) throw new SignInError("the token endpoint's answer lacks a token");
    const claims = idTokenClaims.safeParse(jwtPayload(tokens.data.id_token));
    if (!claims.success) throw new SignInError("the ID token is not readable");
    const audience = [claims.data.aud].flat();
    if (claims.data.nonce !== pending.nonce) throw new SignInError("the ID token's nonce is not this sign-in's");
    if (!audience.includes(this.options.clientId)) throw new SignInError("the ID token was issued to another app");
    if (claims.data.exp * 1000 <= Date.now()) throw new SignInError("the ID token has expired");

    const userinfo = userinfoSchema.safeParse(
      await this.#call("userinfo", { method: "GET", headers: { authorization: `Bearer ${tokens.data.access_token}` } }),
    );
    if (!userinfo.success) throw new SignInError("userinfo's answer lacks a Roblox user id");
    if (userinfo.data.sub !== claims.data.sub) throw new SignInError("userinfo and the ID token name different users");
    return { id: userinfo.data.sub, name: userinfo.data.preferred_username ?? userinfo.data.name ?? null };
  }

  async #call(endpoint: "token" | "userinfo", init: RequestInit): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.options.oauthUrl}/v1/${endpoint}`, { ...init, redirect: "error", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      throw new SignInError(`Roblox's ${endpoint} endpoint did not answer (${error instanceof Error ? error.name : "error"})`);
    }
    const body = (await response.json().catch(() => undefined)) as unknown;
    if (!response.ok) {
      // RFC 6749's error code only: the description may echo what was sent.
      const code = z.object({ error: z.string() }).safeParse(body);
      throw new SignInError(`Roblox's ${endpoint} endpoint answered ${response.status}${code.success ? ` ${code.data.error}` : ""}`);
    }
    return body;
  }
}

function jwtPayload(jwt: string): unknown {
  const [, payload] = jwt.split(".");
  try {
    return JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/** 256 random bits, base64url: a valid PKCE verifier (43 characters) and an unguessable state or nonce. */
const randomToken = () => randomBytes(32).toString("base64url");
