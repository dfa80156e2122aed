import { APPEAL_TEXT_MAX } from "../db/schema.js";
import type { AppealRow } from "../db/appeals.js";
import type { PlayerBan, PlayerBans } from "../services/appeals/playerBans.js";
import { html, SafeHtml } from "./html.js";

/** Simple enough for a phone, no script: the pages work with JavaScript off. */
const STYLE = `
body{font-family:system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1rem;line-height:1.5;color:#222;background:#fafafa}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin:0 0 .25rem}
section{background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:1rem;margin:1rem 0}
textarea{width:100%;box-sizing:border-box;min-height:8rem;font:inherit}
button,.button{font:inherit;padding:.5rem 1rem;border-radius:.4rem;border:1px solid #345;background:#345;color:#fff;text-decoration:none;display:inline-block}
.secondary{background:#fff;color:#345}.error{color:#a00;font-weight:bold}.state{font-weight:bold}
.reason{white-space:pre-wrap;overflow-wrap:anywhere}header{display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap}
`;

// A constant of this file, not input: the one piece of markup trusted as written.
const STYLE_SHEET = new SafeHtml(STYLE);

export function layout(title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${STYLE_SHEET}</style></head>
<body>${body}</body></html>`;
}


export function messagePage(title: string, message: string, signInLink = false): SafeHtml {
  return layout(
    title,
    html`<h1>${title}</h1><p>${message}</p>${signInLink ? html`<p><a class="button" href="/appeal/signin">Sign in with Roblox</a></p>` : ""}`,
  );
}

export function signInPage(): SafeHtml {
  return layout(
    "Ban appeals",
    html`<h1>Ban appeals</h1>
<p>Banned from an experience? Sign in with your Roblox account to see your bans and ask staff to lift them.
Warden asks Roblox only who you are; it never sees your password.</p>
<p><a class="button" href="/appeal/signin">Sign in with Roblox</a></p>`,
  );
}

export interface BansPageInput {
  player: { id: string; name: string | null };
  csrfToken: string;
  found: PlayerBans;
  now: Date;
  /** A refused submission: which ban, why, and what the player wrote (kept, not lost). */
  refused?: { banKey: string; message: string; text: string };
}

export function bansPage(input: BansPageInput): SafeHtml {
  const { player, found } = input;
  const bans =
    found.bans.length === 0
      ? html`<section><p>You have no active bans in the experiences that take appeals here.</p></section>`
      : found.bans.map((ban) => banSection(ban, input));
  return layout(
    "Your bans",
    html`<header><h1>Your bans</h1>
<form method="post" action="/appeal/signout"><input type="hidden" name="csrf" value="${input.csrfToken}">
<span>Signed in as <b>${player.name ?? player.id}</b> (${player.id})</span> <button class="secondary">Sign out</button></form></header>
${input.refused === undefined ? "" : html`<p class="error" role="alert">Not sent: ${input.refused.message}</p>`}
${found.unreadable.map((problem) => html`<section><h2>${problem.experienceName}</h2><p class="error">${problem.problem}</p></section>`)}
${bans}
${found.appeals.length === 0 ? "" : html`<h1>Your appeals</h1>${found.appeals.map(appealSection)}`}`,
  );
}

/** What the form sends to name a ban: the guild, the universe and the place; the player comes from the session. */
export const banKey = (ban: Pick<PlayerBan, "guildId" | "universeId" | "placeId">) => `${ban.guildId}:${ban.universeId}:${ban.placeId ?? ""}`;

function banSection(ban: PlayerBan, input: BansPageInput): SafeHtml {
  const key = banKey(ban);
  const appeals = input.found.appeals.filter((appeal) => banKey(appeal) === key);
  const open = appeals.find((appeal) => appeal.state === "open" || appeal.state === "accepting");
  const declined = appeals.find((appeal) => appeal.state === "declined" && appeal.banStartedAt.getTime() === ban.startTime.getTime());
  const againFrom = declined?.decidedAt == null ? undefined : new Date(declined.decidedAt.getTime() + ban.cooldownDays * 86_400_000);
  const refused = input.refused?.banKey === key ? input.refused : undefined;
  let action: SafeHtml;
  if (open !== undefined) action = html`<p class="state">Your appeal is open: staff will answer it on this page.</p>`;
  else if (againFrom !== undefined && againFrom > input.now) {
    action = html`<p class="state">Your appeal of this ban was declined. You may appeal it again from ${when(againFrom)}.</p>`;
  } else {
    action = html`<form method="post" action="/appeal/submit">
<input type="hidden" name="csrf" value="${input.csrfToken}"><input type="hidden" name="ban" value="${key}">
<label for="text-${key}">Why should this ban be lifted?</label>
<textarea id="text-${key}" name="text" maxlength="${APPEAL_TEXT_MAX}" required>${refused?.text}</textarea>
<button>Send appeal</button></form>`;
  }
  return html`<section class="ban" data-ban="${key}"><h2>${ban.experienceName}${ban.placeId === null ? "" : html` (place ${ban.placeId})`}</h2>
<p>Banned since ${when(ban.startTime)}, ${ban.endTime === null ? "permanently" : html`until ${when(ban.endTime)}`}.</p>
<p>Reason given: ${ban.publicReason === "" ? "none" : html`<span class="reason">${ban.publicReason}</span>`}</p>
${action}</section>`;
}

const STATES: Record<AppealRow["state"], string> = {
  open: "Open: waiting for staff.",
  accepting: "Being accepted: the ban is being lifted.",
  accepted: "Accepted: the ban was lifted.",
  declined: "Declined.",
};

function appealSection(appeal: AppealRow & { experienceName: string }): SafeHtml {
  return html`<section class="appeal" data-appeal="${appeal.id}"><h2>${appeal.experienceName}${appeal.placeId === null ? "" : html` (place ${appeal.placeId})`}</h2>
<p>Sent ${when(appeal.createdAt)}. <span class="state">${STATES[appeal.state]}</span></p>
${appeal.publicAnswer === null ? "" : html`<p>Staff answered: <span class="reason answer">${appeal.publicAnswer}</span></p>`}
<p>You wrote:</p><p class="reason">${appeal.text}</p></section>`;
}

function when(date: Date): SafeHtml {
  return html`<time datetime="${date.toISOString()}">${date.toISOString().slice(0, 16).replace("T", " ")} UTC</time>`;
}
