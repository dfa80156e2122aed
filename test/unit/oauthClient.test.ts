import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RobloxOAuthClient } from "../../src/web/oauthClient.js";
import { PLAYER, startWorld } from "../emulators/opencloud/fixtures.js";
import type { OpenCloudEmulator } from "../emulators/opencloud/index.js";
import { consentAs } from "../emulators/opencloud/oauthConsent.js";

const REDIRECT = "https://warden.example/appeal/callback";

describe("the Roblox OAuth client against the local Roblox", () => {
  let emulator: OpenCloudEmulator;
  let client: RobloxOAuthClient;
  beforeEach(async () => {
    emulator = await startWorld();
    emulator.addOAuthApp({ clientId: "31", clientSecret: "s3cret:with/odd=chars", redirectUris: [REDIRECT] });
    client = new RobloxOAuthClient({ oauthUrl: emulator.oauthUrl, clientId: "31", clientSecret: "s3cret:with/odd=chars", redirectUri: REDIRECT });
  });
  afterEach(() => emulator.close());

  const codeFor = async (authorizeUrl: string) => new URL((await consentAs(authorizeUrl, "Builderman")).location).searchParams.get("code") ?? "";

  it("asks for openid profile with S256 PKCE, state and nonce, and learns who signed in from userinfo", async () => {
    const { pending, authorizeUrl } = client.begin();
    expect(Object.fromEntries(new URL(authorizeUrl).searchParams)).toMatchObject({
      scope: "openid profile",
      response_type: "code",
      code_challenge_method: "S256",
      state: pending.state,
      nonce: pending.nonce,
    });
    expect(await client.finish(pending, await codeFor(authorizeUrl))).toEqual({ id: PLAYER, name: "Builderman" });
    expect(emulator.calls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual(
      expect.arrayContaining(["POST /oauth/v1/token 200", "GET /oauth/v1/userinfo 200"]),
    );
  });

  it("refuses an ID token whose nonce is not the sign-in's", async () => {
    const { pending, authorizeUrl } = client.begin();
    const code = await codeFor(authorizeUrl);
    await expect(client.finish({ ...pending, nonce: "another sign-in's nonce" }, code)).rejects.toThrow("nonce");
  });

  it("refuses a code without its PKCE verifier, and a code redeemed before", async () => {
    const { pending, authorizeUrl } = client.begin();
    const code = await codeFor(authorizeUrl);
    await expect(client.finish({ ...pending, verifier: client.begin().pending.verifier }, code)).rejects.toThrow("400 invalid_grant");
    await client.finish(pending, code);
    await expect(client.finish(pending, code)).rejects.toThrow("400 invalid_grant");
  });
});
