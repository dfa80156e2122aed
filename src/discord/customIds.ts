import { z } from "zod";
import type { CaseFilter } from "../db/cases.js";
import { caseAction } from "../db/schema.js";
import { canonicalId } from "../services/robloxIds.js";
import { clipText } from "../services/clipText.js";

/**
 * Every button and modal id Warden sends, in one codec. Ids come back from
 * Discord as untrusted text: they are parsed with zod, and whatever they name
 * (a group, a user) is checked again against the guild by the handler.
 *
 *   jr:a:<groupId>:<userId>   approve a join request
 *   jr:d:<groupId>:<userId>   decline a join request
 *   ban:ok:<token>            confirm a pending permanent ban
 *   pick:<token>:<userId>     the player meant by digits that are an id and another account's
 *                             username: carry the stored command on with that account
 *   bans:pg:<token>:<page>    show page <page> of a /bans list
 *   cases:pg:<userId|->:<page>[:<moderatorId|->:<action|->]
 *                             show page <page> of /case list: the player's cases, or, with the
 *                             tail, those a Discord moderator took and/or of one action; `-` is
 *                             no filter (the short form is what a player-only list always sent)
 *   jrb:ok:<token>            confirm a pending bulk join-request decision
 *   mb:ok:<token>             start the mass ban or unban a preview showed
 *   mb:no:<token>             drop that preview; nothing is sent
 *   mb:x:<runId>              cancel a mass run between two calls
 *   ap:a:<appealId>           accept a ban appeal: unban the player
 *   ap:d:<appealId>           decline it: the button, and the modal it opens asking for the
 *                             player's answer (one id: both act on the same appeal)
 *   setup:u:<universeId>[:<name>]   the API-key modal of /setup experience
 *   setup:g:<groupId>[:<name>]      the API-key modal of /setup group
 */
export type CustomId =
  | { kind: "joinRequest"; decision: "accept" | "decline"; groupId: string; userId: string }
  | { kind: "confirmBan"; token: string }
  | { kind: "pickPlayer"; token: string; userId: string }
  | { kind: "bansPage"; token: string; page: number }
  | { kind: "casesPage"; filter: CaseFilter; page: number }
  | { kind: "confirmBulk"; token: string }
  | { kind: "massRun"; action: "start" | "drop"; token: string }
  | { kind: "cancelMassRun"; runId: string }
  | { kind: "appeal"; decision: "accept" | "decline"; appealId: number }
  | { kind: "setupKey"; target: "universe" | "group"; id: string; name: string | undefined };

/** Discord's limit on a custom_id. */
export const CUSTOM_ID_MAX_LENGTH = 100;

const robloxId = z.string().regex(/^[0-9]{1,20}$/);
/** A user id as Roblox writes it: no leading zeros, at most 2^63-1. */
const canonicalUserId = z.string().refine((id) => canonicalId(id) === id);
const token = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

const joinRequest = z.tuple([z.literal("jr"), z.enum(["a", "d"]), robloxId, robloxId]);
const confirmBan = z.tuple([z.literal("ban"), z.literal("ok"), token]);
const pickPlayer = z.tuple([z.literal("pick"), token, canonicalUserId]);
const confirmBulk = z.tuple([z.literal("jrb"), z.literal("ok"), token]);
const massRun = z.tuple([z.literal("mb"), z.enum(["ok", "no"]), token]);
const runId = z.uuid();
const cancelMassRun = z.tuple([z.literal("mb"), z.literal("x"), runId]);
/** The last page a paging button can name. */
export const MAX_PAGE = 999;
const pageNumber = z.string().regex(/^[0-9]{1,3}$/).transform(Number);
const bansPage = z.tuple([z.literal("bans"), z.literal("pg"), token, pageNumber]);
const NO_FILTER = "-";
const orNone = <T extends z.ZodType<string>>(schema: T) =>
  z.union([z.literal(NO_FILTER).transform(() => undefined), schema]);
const snowflake = z.string().regex(/^[0-9]{17,20}$/);
const casesPage = z.union([
  z.tuple([z.literal("cases"), z.literal("pg"), canonicalUserId, pageNumber]),
  z.tuple([z.literal("cases"), z.literal("pg"), orNone(canonicalUserId), pageNumber, orNone(snowflake), orNone(z.enum(caseAction.enumValues))]),
]);
/** An appeal's row id: a bigserial, as the positive integers JavaScript holds exactly. */
const appealId = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/)
  .transform(Number)
  .refine((id) => Number.isSafeInteger(id));
const appeal = z.tuple([z.literal("ap"), z.enum(["a", "d"]), appealId]);
const setupKey = z.tuple([z.literal("setup"), z.enum(["u", "g"]), robloxId]).rest(z.string().min(1));

export function encodeCustomId(id: CustomId): string {
  switch (id.kind) {
    case "joinRequest":
      return `jr:${id.decision === "accept" ? "a" : "d"}:${id.groupId}:${id.userId}`;
    case "confirmBan":
      return `ban:ok:${id.token}`;
    case "pickPlayer":
      return `pick:${id.token}:${id.userId}`;
    case "bansPage":
      return `bans:pg:${id.token}:${id.page}`;
    case "casesPage": {
      const { robloxUserId, moderatorDiscordId, action } = id.filter;
      const player = `cases:pg:${robloxUserId ?? NO_FILTER}:${id.page}`;
      return moderatorDiscordId === undefined && action === undefined ? player : `${player}:${moderatorDiscordId ?? NO_FILTER}:${action ?? NO_FILTER}`;
    }
    case "confirmBulk":
      return `jrb:ok:${id.token}`;
    case "massRun":
      return `mb:${id.action === "start" ? "ok" : "no"}:${id.token}`;
    case "cancelMassRun":
      return `mb:x:${id.runId}`;
    case "appeal":
      return `ap:${id.decision === "accept" ? "a" : "d"}:${id.appealId}`;
    case "setupKey": {
      const prefix = `setup:${id.target === "universe" ? "u" : "g"}:${id.id}`;
      // The name rides along only as far as the id has room; it is a label, not data.
      return id.name === undefined ? prefix : clipText(`${prefix}:${id.name}`, CUSTOM_ID_MAX_LENGTH);
    }
  }
}

/** The id's meaning, or undefined for anything Warden did not send. */
export function decodeCustomId(raw: string): CustomId | undefined {
  if (raw.length > CUSTOM_ID_MAX_LENGTH) return undefined;
  const parts = raw.split(":");

  const jr = joinRequest.safeParse(parts);
  if (jr.success) {
    const [, decision, groupId, userId] = jr.data;
    return { kind: "joinRequest", decision: decision === "a" ? "accept" : "decline", groupId, userId };
  }
  const ban = confirmBan.safeParse(parts);
  if (ban.success) return { kind: "confirmBan", token: ban.data[2] };
  const pick = pickPlayer.safeParse(parts);
  if (pick.success) return { kind: "pickPlayer", token: pick.data[1], userId: pick.data[2] };
  const bulk = confirmBulk.safeParse(parts);
  if (bulk.success) return { kind: "confirmBulk", token: bulk.data[2] };
  const mass = massRun.safeParse(parts);
  if (mass.success) return { kind: "massRun", action: mass.data[1] === "ok" ? "start" : "drop", token: mass.data[2] };
  const cancel = cancelMassRun.safeParse(parts);
  if (cancel.success) return { kind: "cancelMassRun", runId: cancel.data[2] };
  const appealDecision = appeal.safeParse(parts);
  if (appealDecision.success) {
    const [, decision, id] = appealDecision.data;
    return { kind: "appeal", decision: decision === "a" ? "accept" : "decline", appealId: id };
  }
  const page = bansPage.safeParse(parts);
  if (page.success) return { kind: "bansPage", token: page.data[2], page: page.data[3] };
  const cases = casesPage.safeParse(parts);
  if (cases.success) {
    const [, , robloxUserId, page, moderatorDiscordId, action] = cases.data;
    const filter = { robloxUserId, moderatorDiscordId, action };
    // A list with no filter at all is one /case list never shows.
    if (Object.values(filter).every((value) => value === undefined)) return undefined;
    return { kind: "casesPage", filter, page };
  }

  const setup = setupKey.safeParse(parts.length > 3 ? [...parts.slice(0, 3), parts.slice(3).join(":")] : parts);
  if (setup.success) {
    const [, target, id, name] = setup.data;
    return { kind: "setupKey", target: target === "u" ? "universe" : "group", id, name };
  }
  return undefined;
}
