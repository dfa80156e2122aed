import type { Link, LinkKind } from "../db/links.js";
import { UserError } from "./userError.js";

const NOUN = { universe: "experience", group: "group" } as const;
const SETUP = { universe: "/setup experience", group: "/setup group" } as const;
const OPTION = { universe: "experience", group: "group" } as const;

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The link of this kind that what staff typed names, or the only one linked
 * when they typed nothing. An exact id always wins: a name counts only when
 * no link has that id and exactly one link of the kind is called so, since a
 * name that reads like another link's id must never redirect an action.
 */
export function chooseLink(links: readonly Link[], kind: LinkKind, typed: string | undefined): Link {
  const linked = links.filter((link) => link.kind === kind);
  const wanted = typed?.trim() ?? "";
  if (linked.length === 0) {
    throw new UserError(`No ${NOUN[kind]} is linked to this server yet. An admin can link one with \`${SETUP[kind]}\`.`);
  }
  if (wanted === "") {
    const [only, ...others] = linked;
    if (only === undefined || others.length > 0) {
      throw new UserError(`Several ${NOUN[kind]}s are linked to this server: choose one with the \`${OPTION[kind]}\` option.`);
    }
    return only;
  }
  const byId = linked.find((link) => link.robloxId === wanted);
  if (byId !== undefined) return byId;
  const named = linked.filter((link) => sameName(link.displayName, wanted));
  const [match, ...alike] = named;
  if (match === undefined) {
    throw new UserError(
      `\`${wanted.slice(0, 50)}\` is not an ${NOUN[kind]} linked to this server. Pick one from the list (\`/setup show\` shows them all).`,
    );
  }
  if (alike.length > 0) {
    throw new UserError(
      `Several linked ${NOUN[kind]}s are named \`${match.displayName}\`: ${named.map((link) => `\`${link.robloxId}\``).join(", ")}. ` +
        `Choose one by its id.`,
    );
  }
  return match;
}

/**
 * Why `name` cannot be the name of this link, or undefined when it can: it
 * would read as an id (digits other than the link's own id), or it is
 * another link's id or name in the guild, of either kind.
 */
export function nameConflict(links: readonly Link[], kind: LinkKind, robloxId: string, name: string): string | undefined {
  const wanted = name.trim();
  const others = links.filter((link) => link.kind !== kind || link.robloxId !== robloxId);
  const withId = others.find((link) => link.robloxId === wanted);
  if (withId !== undefined) return `\`${wanted}\` is the id of the linked ${NOUN[withId.kind]} **${withId.displayName}**.`;
  if (/^[0-9]+$/.test(wanted) && wanted !== robloxId) return `\`${wanted}\` is made of digits only, so it would read as an id.`;
  const withName = others.find((link) => sameName(link.displayName, wanted));
  if (withName !== undefined) {
    return `The linked ${NOUN[withName.kind]} \`${withName.robloxId}\` is already named **${withName.displayName}**.`;
  }
  return undefined;
}
