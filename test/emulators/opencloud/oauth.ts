/**
 * Roblox's OAuth 2.0 (OAUTH.md), on the Open Cloud host under `/oauth`: the
 * authorization page a browser is sent to (Roblox's sign-in, then consent),
 * the token endpoint, userinfo and the ID token's keys. Apps are registered by
 * the test, as on the Creator Dashboard. Errors follow RFC 6749: JSON
 * `{error, error_description}` from the token endpoint, a redirect to the app
 * from the authorization page, except when the app or its redirect URL is
 * unknown (then the browser is never sent anywhere).
 */
import { createHash, generateKeyPairSync, randomBytes, sign, timingSafeEqual } from "node:crypto";
import type { EmulatorState } from "./state.js";

export interface OAuthAppInput {
  clientId: string;
  clientSecret: string;
  /** Exact URLs, as registered on the Creator Dashboard. */
  redirectUris: string[];
  name?: string;
}

export interface OAuthAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

interface Grant {
  clientId: string;
  userId: string;
  scopes: string[];
}

interface IssuedCode extends Grant {
  redirectUri: string;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  expiresAt: number;
  redeemed: boolean;
  /** Tokens issued for it: revoked when the code is presented again (RFC 6749 4.1.2). */
  tokens: string[];
}

/** Roblox's documented lifetimes. */
const CODE_LIFETIME_MS = 60_000;
const ACCESS_TOKEN_LIFETIME_S = 15 * 60;
const REFRESH_TOKEN_LIFETIME_MS = 90 * 24 * 3_600_000;
const SUPPORTED_SCOPES = ["openid", "profile"];
/** The cookie of a browser signed in to the emulated Roblox website. */
const SESSION_COOKIE = "emulated_roblosecurity";
const ISSUER = "https://apis.roblox.com/oauth/";
const KEY_ID = "emulated-oauth-key";

class OAuthError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

export class OAuth {
  readonly #apps = new Map<string, Required<OAuthAppInput>>();
  readonly #browserSessions = new Map<string, string>();
  readonly #codes = new Map<string, IssuedCode>();
  readonly #accessTokens = new Map<string, Grant & { expiresAt: number }>();
  readonly #refreshTokens = new Map<string, Grant & { expiresAt: number }>();
  readonly #signingKey = generateKeyPairSync("ec", { namedCurve: "P-256" });

  constructor(
    private readonly state: EmulatorState,
    private readonly now: () => number,
  ) {}

  addApp(app: OAuthAppInput): void {
    this.#apps.set(app.clientId, { name: `App ${app.clientId}`, ...app });
  }

  /** Every path under `/oauth/`; undefined for any other. */
  handle(method: string, url: URL, headers: Record<string, string | string[] | undefined>, body: string): OAuthAnswer | undefined {
    const route = `${method} ${url.pathname}`;
    try {
      switch (route) {
        case "GET /oauth/v1/authorize":
          return this.#authorizePage(url.searchParams, cookie(headers, SESSION_COOKIE));
        case "POST /oauth/v1/authorize":
          return this.#authorizeAction(new URLSearchParams(body), cookie(headers, SESSION_COOKIE));
        case "POST /oauth/v1/token":
          return this.#token(headers, body);
        case "GET /oauth/v1/userinfo":
          return this.#userinfo(headers.authorization);
        case "GET /oauth/v1/certs":
          return json(200, { keys: [{ ...this.#signingKey.publicKey.export({ format: "jwk" }), kid: KEY_ID, alg: "ES256", use: "sig" }] });
        case "GET /oauth/.well-known/openid-configuration":
          return json(200, this.#discovery(url));
        default:
          return url.pathname.startsWith("/oauth/") ? json(404, { error: "not_found", error_description: `No ${route}.` }) : undefined;
      }
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      const answer = json(error.status, { error: error.code, error_description: error.description });
      if (error.status === 401 && typeof headers.authorization === "string" && /^basic /i.test(headers.authorization)) {
        answer.headers["www-authenticate"] = 'Basic realm="oauth"';
      }
      return answer;
    }
  }

  /** The app and redirect URL must be known before anything is sent back to that URL. */
  #checkedRequest(query: URLSearchParams): { app: Required<OAuthAppInput>; redirectUri: string } | OAuthAnswer {
    const app = this.#apps.get(query.get("client_id") ?? "");
    if (app === undefined) return page(400, "Invalid client", "<p>This app is not registered.</p>");
    const redirectUri = query.get("redirect_uri") ?? "";
    if (!app.redirectUris.includes(redirectUri)) {
      return page(400, "Invalid redirect", "<p>The redirect URL is not one the app registered.</p>");
    }
    return { app, redirectUri };
  }

  #authorizePage(query: URLSearchParams, session: string | undefined): OAuthAnswer {
    const checked = this.#checkedRequest(query);
    if ("status" in checked) return checked;
    const problem = requestProblem(query);
    if (problem !== undefined) return redirectBack(checked.redirectUri, { error: problem.code, error_description: problem.description, state: query.get("state") });
    const hidden = [...query].map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`).join("");
    const userId = session === undefined ? undefined : this.#browserSessions.get(session);
    if (userId === undefined) {
      return page(
        200,
        "Sign in to Roblox",
        `<form method="post" action="/oauth/v1/authorize">${hidden}<label>Username <input name="username" autocomplete="username"></label>` +
          `<button name="action" value="signin">Log In</button></form>`,
      );
    }
    const user = this.state.users.get(userId);
    return page(
      200,
      `Authorize ${escape(checked.app.name)}`,
      `<p>Signed in as <b id="signed-in-as">${escape(user?.name ?? userId)}</b>.</p>` +
        `<p>${escape(checked.app.name)} asks for: ${escape(query.get("scope") ?? "")}</p>` +
        `<form method="post" action="/oauth/v1/authorize">${hidden}` +
        `<button name="action" value="consent">Authorize</button> <button name="action" value="deny">Cancel</button></form>`,
    );
  }

  #authorizeAction(form: URLSearchParams, session: string | undefined): OAuthAnswer {
    const checked = this.#checkedRequest(form);
    if ("status" in checked) return checked;
    const params = new URLSearchParams([...form].filter(([name]) => name !== "action" && name !== "username"));
    const action = form.get("action");
    if (action === "signin") {
      const wanted = (form.get("username") ?? "").toLowerCase();
      const user = [...this.state.users.values()].find((candidate) => candidate.name.toLowerCase() === wanted);
      if (user === undefined) return page(401, "Sign in to Roblox", "<p>Incorrect username.</p>");
      const token = randomToken();
      this.#browserSessions.set(token, user.id);
      return {
        status: 303,
        headers: { location: `/oauth/v1/authorize?${params}`, "set-cookie": `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax` },
        text: "",
      };
    }
    const userId = session === undefined ? undefined : this.#browserSessions.get(session);
    if (userId === undefined) return { status: 303, headers: { location: `/oauth/v1/authorize?${params}` }, text: "" };
    const state = form.get("state");
    if (action !== "consent") return redirectBack(checked.redirectUri, { error: "access_denied", error_description: "The user declined.", state });
    const problem = requestProblem(form);
    if (problem !== undefined) return redirectBack(checked.redirectUri, { error: problem.code, error_description: problem.description, state });
    const code = randomToken();
    this.#codes.set(code, {
      clientId: checked.app.clientId,
      userId,
      scopes: (form.get("scope") ?? "").split(" "),
      redirectUri: checked.redirectUri,
      nonce: form.get("nonce") ?? undefined,
      codeChallenge: form.get("code_challenge") ?? undefined,
      expiresAt: this.now() + CODE_LIFETIME_MS,
      redeemed: false,
      tokens: [],
    });
    return redirectBack(checked.redirectUri, { code, state });
  }

  #token(headers: Record<string, string | string[] | undefined>, body: string): OAuthAnswer {
    if (!String(headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
      throw new OAuthError("invalid_request", "The body must be application/x-www-form-urlencoded.");
    }
    const form = new URLSearchParams(body);
    const app = this.#authenticateClient(headers.authorization, form);
    switch (form.get("grant_type")) {
      case "authorization_code":
        return this.#redeemCode(app, form);
      case "refresh_token":
        return this.#refresh(app, form);
      case null:
        throw new OAuthError("invalid_request", "grant_type is required.");
      default:
        throw new OAuthError("unsupported_grant_type", "Only authorization_code and refresh_token are supported.");
    }
  }

  #authenticateClient(authorization: string | string[] | undefined, form: URLSearchParams): Required<OAuthAppInput> {
    const basic = typeof authorization === "string" && /^basic /i.test(authorization) ? authorization.slice(6).trim() : undefined;
    const inBody = form.has("client_secret");
    if (basic !== undefined && inBody) throw new OAuthError("invalid_request", "Use one client authentication method, not two.");
    let clientId: string;
    let secret: string;
    if (basic !== undefined) {
      const decoded = Buffer.from(basic, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 0) throw new OAuthError("invalid_client", "Client authentication failed.", 401);
      clientId = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    } else {
      clientId = form.get("client_id") ?? "";
      secret = form.get("client_secret") ?? "";
    }
    const app = this.#apps.get(clientId);
    if (app === undefined || !sameText(app.clientSecret, secret)) throw new OAuthError("invalid_client", "Client authentication failed.", 401);
    return app;
  }

  #redeemCode(app: Required<OAuthAppInput>, form: URLSearchParams): OAuthAnswer {
    const code = this.#codes.get(form.get("code") ?? "");
    if (code === undefined || code.clientId !== app.clientId) throw new OAuthError("invalid_grant", "The code is invalid.");
    if (code.redeemed) {
      for (const token of code.tokens) {
        this.#accessTokens.delete(token);
        this.#refreshTokens.delete(token);
      }
      throw new OAuthError("invalid_grant", "The code was already redeemed.");
    }
    if (this.now() >= code.expiresAt) throw new OAuthError("invalid_grant", "The code has expired.");
    if (form.get("redirect_uri") !== code.redirectUri) throw new OAuthError("invalid_grant", "redirect_uri does not match the authorization request.");
    if (code.codeChallenge !== undefined) {
      const verifier = form.get("code_verifier");
      if (verifier === null) throw new OAuthError("invalid_grant", "code_verifier is required.");
      if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) || !sameText(createHash("sha256").update(verifier).digest("base64url"), code.codeChallenge)) {
        throw new OAuthError("invalid_grant", "code_verifier does not match the code_challenge.");
      }
    }
    code.redeemed = true;
    const answer = this.#issue(code, code.nonce);
    code.tokens.push(answer.access_token, answer.refresh_token);
    return json(200, answer);
  }

  #refresh(app: Required<OAuthAppInput>, form: URLSearchParams): OAuthAnswer {
    const presented = form.get("refresh_token") ?? "";
    const grant = this.#refreshTokens.get(presented);
    if (grant === undefined || grant.clientId !== app.clientId || this.now() >= grant.expiresAt) {
      throw new OAuthError("invalid_grant", "The refresh token is invalid.");
    }
    // Single use: the new answer carries the next refresh token.
    this.#refreshTokens.delete(presented);
    return json(200, this.#issue(grant, undefined));
  }

  #issue(grant: Grant, nonce: string | undefined) {
    const accessToken = randomToken();
    const refreshToken = randomToken();
    this.#accessTokens.set(accessToken, { ...grant, expiresAt: this.now() + ACCESS_TOKEN_LIFETIME_S * 1000 });
    this.#refreshTokens.set(refreshToken, { ...grant, expiresAt: this.now() + REFRESH_TOKEN_LIFETIME_MS });
    const nowSeconds = Math.floor(this.now() / 1000);
    const idToken = grant.scopes.includes("openid")
      ? this.#signJwt({
          iss: ISSUER,
          sub: grant.userId,
          aud: grant.clientId,
          iat: nowSeconds,
          exp: nowSeconds + 3_600,
          ...(nonce === undefined ? {} : { nonce }),
          ...(grant.scopes.includes("profile") ? this.#profile(grant.userId) : {}),
        })
      : undefined;
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      ...(idToken === undefined ? {} : { id_token: idToken }),
      token_type: "Bearer",
      expires_in: ACCESS_TOKEN_LIFETIME_S - 1,
      scope: grant.scopes.join(" "),
    };
  }

  #userinfo(authorization: string | string[] | undefined): OAuthAnswer {
    const token = typeof authorization === "string" && /^bearer /i.test(authorization) ? authorization.slice(7).trim() : undefined;
    const grant = token === undefined ? undefined : this.#accessTokens.get(token);
    if (grant === undefined || this.now() >= grant.expiresAt) {
      const refused = json(401, { error: "invalid_token", error_description: "The access token is invalid or expired." });
      refused.headers["www-authenticate"] = 'Bearer error="invalid_token"';
      return refused;
    }
    return json(200, { sub: grant.userId, ...(grant.scopes.includes("profile") ? this.#profile(grant.userId) : {}) });
  }

  #profile(userId: string) {
    const user = this.state.users.get(userId);
    return {
      name: user?.name ?? null,
      nickname: user?.displayName ?? null,
      preferred_username: user?.name ?? null,
      created_at: user === undefined ? null : Math.floor(Date.parse(user.createTime) / 1000),
      profile: `https://www.roblox.com/users/${userId}/profile`,
      picture: null,
    };
  }

  #signJwt(claims: Record<string, unknown>): string {
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
    const signingInput = `${encode({ alg: "ES256", typ: "JWT", kid: KEY_ID })}.${encode(claims)}`;
    const signature = sign("sha256", Buffer.from(signingInput), { key: this.#signingKey.privateKey, dsaEncoding: "ieee-p1363" });
    return `${signingInput}.${signature.toString("base64url")}`;
  }

  #discovery(url: URL) {
    const base = `${url.protocol}//${url.host}/oauth`;
    return {
      issuer: ISSUER,
      authorization_endpoint: `${base}/v1/authorize`,
      token_endpoint: `${base}/v1/token`,
      userinfo_endpoint: `${base}/v1/userinfo`,
      jwks_uri: `${base}/v1/certs`,
      response_types_supported: ["code"],
      scopes_supported: SUPPORTED_SCOPES,
      code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      id_token_signing_alg_values_supported: ["ES256"],
    };
  }
}

/** What is wrong with an authorization request whose app and redirect URL are known. */
function requestProblem(query: URLSearchParams): OAuthError | undefined {
  if (query.get("response_type") !== "code") return new OAuthError("unsupported_response_type", "response_type must be code.");
  const scopes = (query.get("scope") ?? "").split(" ").filter(Boolean);
  if (scopes.length === 0 || scopes.some((scope) => !SUPPORTED_SCOPES.includes(scope))) {
    return new OAuthError("invalid_scope", "The requested scope is invalid.");
  }
  const challenge = query.get("code_challenge");
  if (challenge !== null && query.get("code_challenge_method") !== "S256") {
    return new OAuthError("invalid_request", "code_challenge_method must be S256.");
  }
  return undefined;
}

function redirectBack(redirectUri: string, params: Record<string, string | null>): OAuthAnswer {
  const target = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== null) target.searchParams.set(name, value);
  return { status: 302, headers: { location: target.toString() }, text: "" };
}

function json(status: number, body: object): OAuthAnswer {
  return { status, headers: { "content-type": "application/json", "cache-control": "no-store" }, text: JSON.stringify(body) };
}

function page(status: number, title: string, body: string): OAuthAnswer {
  return {
    status,
    headers: { "content-type": "text/html; charset=utf-8" },
    text: `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`,
  };
}

function cookie(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const header = typeof headers.cookie === "string" ? headers.cookie : "";
  for (const part of header.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const randomToken = () => randomBytes(24).toString("base64url");

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
