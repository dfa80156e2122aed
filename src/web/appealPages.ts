import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { AppealsConfig } from "../config.js";
import type { Logger } from "../log.js";
import type { ExperienceDeps } from "../services/moderation/linkedExperience.js";
import { listPlayerBans } from "../services/appeals/playerBans.js";
import type { AppealNotifier } from "../services/appeals/ports.js";
import { DEFAULT_SUBMISSION_LIMITS, submitAppeal, type SubmissionLimits } from "../services/appeals/submitAppeal.js";
import { UserError } from "../services/userError.js";
import { clientAddress } from "./clientAddress.js";
import { bansPage, messagePage, signInPage, type BansPageInput } from "./appealViews.js";
import { CsrfTokens } from "./csrf.js";
import type { SafeHtml } from "./html.js";
import { RobloxOAuthClient, SignInError } from "./oauthClient.js";
import { SignedCookie } from "./signedCookie.js";
import { deriveWebKey } from "./webKeys.js";

/** A session lasts long enough to read the bans and write an appeal, then a new sign-in is asked. */
const SESSION_SECONDS = 30 * 60;
/** The trip to Roblox and back: sign-in and consent take a person a few minutes at most. */
const SIGN_IN_SECONDS = 10 * 60;
/** The largest form accepted: an appeal of APPEAL_TEXT_MAX characters, each percent-encoded, fits. */
const MAX_FORM_BYTES = 64 * 1024;

export interface AppealPagesDeps extends ExperienceDeps {
  config: AppealsConfig;
  /** Every process of a deployment shares it: cookies one signs, another accepts. */
  encryptionKey: Buffer;
  logger: Logger;
  notifier: AppealNotifier;
  limits?: SubmissionLimits;
}

export type AppealPages = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

const sessionSchema = z.object({ sid: z.string(), id: z.string().regex(/^\d{1,20}$/), name: z.string().nullable() });
const signInSchema = z.object({ state: z.string(), nonce: z.string(), verifier: z.string() });
type Session = z.output<typeof sessionSchema>;

class FormError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * PUBLIC_URL/appeal: sign in with Roblox, see one's bans, appeal them. All
 * state between requests is in signed cookies or the database, never in this
 * process, so any process of a deployment can answer any request.
 */
export function createAppealPages(deps: AppealPagesDeps): AppealPages {
  const secure = deps.config.publicUrl.startsWith("https:");
  const cookieAttributes = { secure, path: "/appeal" };
  const sessions = new SignedCookie("warden_appeal_session", deriveWebKey(deps.encryptionKey, "appeal session cookie"), sessionSchema, SESSION_SECONDS, cookieAttributes);
  const signIns = new SignedCookie("warden_appeal_signin", deriveWebKey(deps.encryptionKey, "appeal sign-in cookie"), signInSchema, SIGN_IN_SECONDS, cookieAttributes);
  const csrf = new CsrfTokens(deriveWebKey(deps.encryptionKey, "appeal csrf token"));
  const addressKey = deriveWebKey(deps.encryptionKey, "appeal address hash");
  const oauth = new RobloxOAuthClient({
    oauthUrl: deps.config.oauthUrl,
    clientId: deps.config.oauthClientId,
    clientSecret: deps.config.oauthClientSecret,
    redirectUri: `${deps.config.publicUrl}/appeal/callback`,
  });
  const submitDeps = {
    ...deps,
    limits: deps.limits ?? DEFAULT_SUBMISSION_LIMITS,
    now: () => new Date(),
    onNotifyFailure: (error: unknown, appealId: number) =>
      deps.logger.error({ err: error, appealId }, "telling staff of an appeal failed; the sweep posts it"),
  };

  const showBans = async (response: ServerResponse, session: Session, status = 200, refused?: BansPageInput["refused"]) => {
    const found = await listPlayerBans(deps, session.id);
    send(response, status, bansPage({ player: session, csrfToken: csrf.tokenFor(session.sid), found, now: new Date(), refused }));
  };

  const routes: Record<string, (request: IncomingMessage, response: ServerResponse) => Promise<void>> = {
    "GET /appeal": async (request, response) => {
      const session = sessions.read(request.headers.cookie, new Date());
      if (session === undefined) return send(response, 200, signInPage());
      await showBans(response, session);
    },
    "GET /appeal/signin": async (_request, response) => {
      const { pending, authorizeUrl } = oauth.begin();
      redirect(response, authorizeUrl, [signIns.set(pending, new Date())]);
    },
    "GET /appeal/callback": async (request, response) => {
      const query = new URL(request.url ?? "/", "http://warden").searchParams;
      const pending = signIns.read(request.headers.cookie, new Date());
      // Whatever happens next, this sign-in is spent: a replayed callback finds no cookie.
      response.setHeader("set-cookie", signIns.clear());
      if (pending === undefined || query.get("state") !== pending.state) {
        return send(response, 400, messagePage("Sign-in failed", "This sign-in link is not valid any more. Start again.", true));
      }
      const code = query.get("code");
      if (code === null) return send(response, 400, messagePage("Sign-in cancelled", "Roblox did not sign you in. Start again if you wish.", true));
      const identity = await oauth.finish(pending, code);
      const session: Session = { sid: randomBytes(16).toString("base64url"), ...identity };
      redirect(response, "/appeal", [sessions.set(session, new Date())]);
    },
    "POST /appeal/submit": async (request, response) => {
      const { session, form } = await signedInForm(request);
      const [guildId = "", universeId = "", placeId = ""] = (form.get("ban") ?? "").split(":");
      const text = form.get("text") ?? "";
      try {
        await submitAppeal(submitDeps, {
          player: session,
          guildId,
          universeId,
          placeId: placeId === "" ? null : placeId,
          text,
          addressHash: createHmac("sha256", addressKey).update(clientAddress(request.socket.remoteAddress, request.headers["x-forwarded-for"])).digest("base64url"),
        });
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        return showBans(response, session, 400, { banKey: form.get("ban") ?? "", message: error.message, text });
      }
      redirect(response, "/appeal");
    },
    "POST /appeal/signout": async (request, response) => {
      await signedInForm(request);
      redirect(response, "/appeal", [sessions.clear()]);
    },
  };

  /** The session and the form of a post, once its CSRF token is checked against that session. */
  const signedInForm = async (request: IncomingMessage): Promise<{ session: Session; form: URLSearchParams }> => {
    const session = sessions.read(request.headers.cookie, new Date());
    if (session === undefined) throw new FormError(401, "Your session has ended. Sign in again; what you wrote was not sent.");
    const form = await readForm(request);
    if (!csrf.matches(session.sid, form.get("csrf") ?? undefined)) {
      throw new FormError(403, "This form was not sent from Warden's own page. Open the appeal page again and send it from there.");
    }
    return { session, form };
  };

  return async (request, response) => {
    const path = new URL(request.url ?? "/", "http://warden").pathname.replace(/\/+$/, "");
    const route = routes[`${request.method ?? "GET"} ${path}`];
    try {
      if (route === undefined) return send(response, 404, messagePage("Not found", "There is no such page. The appeal page is at /appeal."));
      await route(request, response);
    } catch (error) {
      if (error instanceof FormError) return send(response, error.status, messagePage("Not sent", error.message, error.status === 401));
      if (error instanceof SignInError) {
        deps.logger.warn({ reason: error.message }, "an appeal sign-in was refused");
        return send(response, 400, messagePage("Sign-in failed", "Roblox did not confirm who you are. Start again.", true));
      }
      const reference = randomUUID().slice(0, 8);
      deps.logger.error({ err: error, reference }, "an appeal page failed");
      if (!response.headersSent) send(response, 500, messagePage("Something went wrong", `Try again later. If it keeps failing, tell staff this reference: ${reference}.`));
      else response.destroy();
    }
  };
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  if (!(request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
    throw new FormError(415, "The form was not sent as a web form.");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new FormError(413, "The form is too large.");
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

/** Pages are about one signed-in player: never cached, never framed, no script, no other origin. */
const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

function send(response: ServerResponse, status: number, page: SafeHtml): void {
  response.writeHead(status, PAGE_HEADERS);
  response.end(page.text);
}

function redirect(response: ServerResponse, location: string, cookies: string[] = []): void {
  const already = response.getHeader("set-cookie");
  const previous = already === undefined ? [] : [already].flat().map(String);
  response.writeHead(303, { location, "cache-control": "no-store", "set-cookie": [...new Set([...previous, ...cookies])] });
  response.end();
}
