import { createHash, createPublicKey, verify } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PLAYER, startWorld } from "./fixtures.js";
import type { OpenCloudEmulator } from "./index.js";
import { consentAs } from "./oauthConsent.js";

const CLIENT_ID = "4242";
const SECRET = "app-secret";
const REDIRECT = "https://warden.example/appeal/callback";
const VERIFIER = "v".repeat(43);
const CHALLENGE = createHash("sha256").update(VERIFIER).digest("base64url");

describe("the local Roblox OAuth 2.0", () => {
  let emulator: OpenCloudEmulator;
  let time: number;
  beforeEach(async () => {
    time = Date.parse("2026-01-01T00:00:00Z");
    emulator = await startWorld({ clock: () => time });
    emulator.addOAuthApp({ clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [REDIRECT], name: "Warden appeals" });
  });
  afterEach(() => emulator.close());

  const authorizeUrl = (overrides: Record<string, string | undefined> = {}) => {
    const url = new URL(`${emulator.oauthUrl}/v1/authorize`);
    const params: Record<string, string | undefined> = {
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT,
      scope: "openid profile",
      response_type: "code",
      state: "the-state",
      nonce: "the-nonce",
      code_challenge: CHALLENGE,
      code_challenge_method: "S256",
      ...overrides,
    };
    for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
    return url.toString();
  };
  const codeFrom = (location: string) => new URL(location).searchParams.get("code") ?? "";
  const token = async (form: Record<string, string>, basic: string | null = `${CLIENT_ID}:${SECRET}`) => {
    const response = await fetch(`${emulator.oauthUrl}/v1/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...(basic === null ? {} : { authorization: `Basic ${Buffer.from(basic).toString("base64")}` }),
      },
      body: new URLSearchParams(form),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
  };
  const redeem = (code: string, extra: Record<string, string> = {}) =>
    token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: VERIFIER, ...extra });

  it("sends the signed-in player back to the app with a code and the state, and the code buys tokens, an ID token and userinfo", async () => {
    const { location } = await consentAs(authorizeUrl(), "Builderman");
    expect(location.startsWith(`${REDIRECT}?`)).toBe(true);
    expect(new URL(location).searchParams.get("state")).toBe("the-state");

    const answer = await redeem(codeFrom(location));
    expect(answer.status).toBe(200);
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(answer.body).toMatchObject({ token_type: "Bearer", expires_in: 899, scope: "openid profile" });
    const [header = "", payload = "", signature = ""] = String(answer.body.id_token).split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: "https://apis.roblox.com/oauth/", sub: PLAYER, aud: CLIENT_ID, nonce: "the-nonce", name: "Builderman" });
    const certs = (await (await fetch(`${emulator.oauthUrl}/v1/certs`)).json()) as { keys: object[] };
    const key = createPublicKey({ key: certs.keys[0] as never, format: "jwk" });
    expect(verify("sha256", Buffer.from(`${header}.${payload}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(signature, "base64url"))).toBe(true);

    const userinfo = await fetch(`${emulator.oauthUrl}/v1/userinfo`, { headers: { authorization: `Bearer ${String(answer.body.access_token)}` } });
    expect(await userinfo.json()).toEqual({
      sub: PLAYER,
      name: "Builderman",
      nickname: "Builderman",
      preferred_username: "Builderman",
      created_at: Date.parse("2010-01-02T03:04:05Z") / 1000,
      profile: `https://www.roblox.com/users/${PLAYER}/profile`,
      picture: null,
    });
  });

  it("shows a sign-in page, then the consent page, to a browser", async () => {
    const signIn = await fetch(authorizeUrl());
    expect(await signIn.text()).toContain('name="username"');
    const { robloxCookie } = await consentAs(authorizeUrl(), "Builderman");
    const consent = await (await fetch(authorizeUrl(), { headers: { cookie: robloxCookie } })).text();
    expect(consent).toContain("Signed in as <b id=\"signed-in-as\">Builderman</b>");
    expect(consent).toContain("Warden appeals");
  });

  it("redeems a code once, and revokes what it bought when it comes again", async () => {
    const code = codeFrom((await consentAs(authorizeUrl(), "Builderman")).location);
    const first = await redeem(code);
    expect(first.status).toBe(200);
    expect(await redeem(code)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    const userinfo = await fetch(`${emulator.oauthUrl}/v1/userinfo`, { headers: { authorization: `Bearer ${String(first.body.access_token)}` } });
    expect(userinfo.status).toBe(401);
    expect(userinfo.headers.get("www-authenticate")).toContain("invalid_token");
  });

  it("lets a code live one minute", async () => {
    const code = codeFrom((await consentAs(authorizeUrl(), "Builderman")).location);
    time += 60_000;
    expect(await redeem(code)).toMatchObject({ status: 400, body: { error: "invalid_grant", error_description: "The code has expired." } });
    const fresh = codeFrom((await consentAs(authorizeUrl(), "Builderman")).location);
    time += 59_000;
    expect((await redeem(fresh)).status).toBe(200);
  });

  it("verifies PKCE: a missing or wrong verifier is refused", async () => {
    const code = codeFrom((await consentAs(authorizeUrl(), "Builderman")).location);
    const withoutVerifier = await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT });
    expect(withoutVerifier).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(await redeem(code, { code_verifier: "w".repeat(43) })).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    // Refusals spend nothing: the right verifier still redeems it.
    expect((await redeem(code)).status).toBe(200);
    const plain = await consentAs(authorizeUrl({ code_challenge_method: "plain" }), "Builderman");
    expect(new URL(plain.location).searchParams.get("error")).toBe("invalid_request");
  });

  it("authenticates the client by HTTP Basic or in the body, and refuses a wrong secret", async () => {
    const other = codeFrom((await consentAs(authorizeUrl(), "Builderman")).location);
    const badSecret = await token(
      { grant_type: "authorization_code", code: other, redirect_uri: REDIRECT, code_verifier: VERIFIER },
      `${CLIENT_ID}:not-the-secret`,
    );
    expect(badSecret).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    expect(badSecret.headers.get("www-authenticate")).toContain("Basic");
    const inBody = await token(
      { grant_type: "authorization_code", code: other, redirect_uri: REDIRECT, code_verifier: VERIFIER, client_id: CLIENT_ID, client_secret: SECRET },
      null,
    );
    expect(inBody.body).toMatchObject({ token_type: "Bearer" });
  });

  it("refuses a redirect URL the app did not register, without sending the browser there", async () => {
    const page = await fetch(authorizeUrl({ redirect_uri: "https://evil.example/callback" }), { redirect: "manual" });
    expect(page.status).toBe(400);
    expect(page.headers.get("location")).toBeNull();
    const code = codeFrom((await consentAs(authorizeUrl(), "Builderman")).location);
    expect(await redeem(code, { redirect_uri: "https://warden.example/other" })).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it("refuses scopes it does not know and tells the app when the player cancels", async () => {
    const scoped = await consentAs(authorizeUrl({ scope: "openid universe-messaging-service:publish" }), "Builderman");
    expect(new URL(scoped.location).searchParams.get("error")).toBe("invalid_scope");
    const denied = await consentAs(authorizeUrl(), "Builderman", "deny");
    expect(Object.fromEntries(new URL(denied.location).searchParams)).toMatchObject({ error: "access_denied", state: "the-state" });
  });

  it("rotates refresh tokens: each is single use", async () => {
    const first = await redeem(codeFrom((await consentAs(authorizeUrl(), "Builderman")).location));
    const refresh = String(first.body.refresh_token);
    const second = await token({ grant_type: "refresh_token", refresh_token: refresh });
    expect(second.status).toBe(200);
    expect(await token({ grant_type: "refresh_token", refresh_token: refresh })).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(await token({ grant_type: "password" })).toMatchObject({ status: 400, body: { error: "unsupported_grant_type" } });
  });

  it("records the calls without their secrets", async () => {
    await redeem(codeFrom((await consentAs(authorizeUrl(), "Builderman")).location));
    const recorded = JSON.stringify(emulator.calls);
    expect(recorded).toContain("/oauth/v1/token");
    expect(recorded).not.toContain(SECRET);
    expect(recorded).not.toContain(VERIFIER);
  });
});
