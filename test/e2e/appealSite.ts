/**
 * What the appeal tests share: a stack whose bot serves PUBLIC_URL/appeal
 * against the local Roblox OAuth, a banned player, and a player's visit to
 * the pages over plain HTTP (the browser tests click the same pages).
 */
import { consentAs } from "../emulators/opencloud/oauthConsent.js";
import { freePort } from "../support/postgresServer.js";
import { addExperienceWithKey, channelId, linkThroughForm, memberId, replyTo, startStack, type Stack } from "./stack.js";

export const OAUTH_CLIENT_ID = "7000";
export const OAUTH_SECRET = `appeal-oauth-secret-${"s".repeat(20)}`;

export interface AppealStack extends Stack {
  /** PUBLIC_URL: where players reach the pages. */
  publicUrl: string;
}

export async function startAppealStack(options: Parameters<typeof startStack>[1] = {}): Promise<AppealStack> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const stack = await startStack(undefined, {
    ...options,
    env: { HTTP_PORT: String(port), PUBLIC_URL: publicUrl, ROBLOX_OAUTH_CLIENT_ID: OAUTH_CLIENT_ID, ROBLOX_OAUTH_CLIENT_SECRET: OAUTH_SECRET, ...options.env },
  });
  stack.roblox.addOAuthApp({ clientId: OAUTH_CLIENT_ID, clientSecret: OAUTH_SECRET, redirectUris: [`${publicUrl}/appeal/callback`], name: "Warden appeals" });
  return Object.assign(Object.create(stack) as Stack, { publicUrl });
}

/** A linked experience whose guild takes appeals in #general, set with `/setup appeals` as a configurer does; the mod log in #mod-log. */
export async function linkExperienceTakingAppeals(
  stack: Stack,
  experience: { universeId: string; name: string; placeId: string; ownerId: string; key: string },
): Promise<void> {
  stack.roblox.addUser({ id: experience.ownerId, name: `Owner${experience.ownerId}` });
  addExperienceWithKey(stack.roblox, experience);
  await linkThroughForm(stack, "experience", experience.universeId, experience.key);
  await replyTo(stack, stack.guild.ownerId, "setup", "channels", { log: channelId(stack, "mod-log") });
  const answer = await replyTo(stack, stack.guild.ownerId, "setup", "appeals", { channel: channelId(stack, "general"), enabled: true });
  if (!answer.includes("Appeals on")) throw new Error(`/setup appeals did not turn appeals on: ${answer}`);
}

/** Bans through the bot's own /ban, as the guild's owner. */
export async function banThroughDiscord(stack: Stack, options: Record<string, string>): Promise<string> {
  return replyTo(stack, memberId(stack, "owner"), "ban", undefined, options);
}

/** A player's visit over HTTP: cookies kept as a browser keeps them (by name), redirects followed by hand. */
export class PlayerVisit {
  readonly cookies = new Map<string, string>();

  constructor(readonly publicUrl: string) {}

  async get(path: string): Promise<Response> {
    return this.#keep(await fetch(new URL(path, this.publicUrl), { redirect: "manual", headers: { cookie: this.cookieHeader() } }));
  }

  async post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.#keep(
      await fetch(new URL(path, this.publicUrl), {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: this.cookieHeader(), ...headers },
        body: new URLSearchParams(form),
      }),
    );
  }

  /** Starts a sign-in; answers the URL of Roblox's authorization page. */
  async startSignIn(): Promise<string> {
    const started = await this.get("/appeal/signin");
    const location = started.headers.get("location");
    if (started.status !== 303 || location === null) throw new Error(`/appeal/signin answered ${started.status}`);
    return location;
  }

  /** Signs in as the Roblox user `username` and consents: answers the callback URL Roblox sends the browser to. */
  async consentAt(authorizeUrl: string, username: string): Promise<string> {
    return (await consentAs(authorizeUrl, username)).location;
  }

  /** The whole sign-in; answers the page the player lands on. */
  async signIn(username: string): Promise<string> {
    const callback = await this.get(await this.consentAt(await this.startSignIn(), username));
    if (callback.status !== 303) throw new Error(`the callback answered ${callback.status}: ${await callback.text()}`);
    return this.page();
  }

  async page(): Promise<string> {
    return (await this.get("/appeal")).text();
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  #keep(response: Response): Response {
    for (const header of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = header.split(";");
      const [name = "", value = ""] = pair.split("=");
      const expired = attributes.some((attribute) => attribute.trim().toLowerCase() === "max-age=0");
      if (expired || value === "") this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value.trim());
    }
    return response;
  }
}

/** The page's CSRF token and the form value naming the first ban offered. */
export function formFields(page: string): { csrf: string; ban: string | undefined } {
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
  if (csrf === undefined) throw new Error("the page has no CSRF token");
  return { csrf, ban: /name="ban" value="([^"]+)"/.exec(page)?.[1] };
}
