import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appeals, cases } from "../../src/db/schema.js";
import { PlayerVisit, banThroughDiscord, formFields, linkExperienceTakingAppeals, startAppealStack, type AppealStack } from "./appealSite.js";
import { channelId, textOf } from "./stack.js";

const OWNER = "6900";
const EXPERIENCES = [
  { universeId: "6101", name: "Obby World", placeId: "6201" },
  { universeId: "6102", name: "Tycoon Town", placeId: "6202" },
  { universeId: "6103", name: "Racing Rush", placeId: "6203" },
].map((experience) => ({ ...experience, ownerId: OWNER, key: `appeal-key-${experience.universeId}-${"k".repeat(50)}` }));
const [OBBY, TYCOON, RACING] = EXPERIENCES as [(typeof EXPERIENCES)[0], (typeof EXPERIENCES)[0], (typeof EXPERIENCES)[0]];
const PLAYERS = { alice: "201", hector: "202", carl: "203", dora: "204", eve: "205", frank: "206", gina: "207" };
const PRIVATE_REASON = "PRIVATE aimbot evidence in ticket 99";

describe("the appeal pages over HTTP", () => {
  let stack: AppealStack;
  const visit = () => new PlayerVisit(stack.publicUrl);
  const appealRows = (userId: string) => stack.database.handle.db.select().from(appeals).where(eq(appeals.robloxUserId, userId));

  beforeAll(async () => {
    // Two appeals a player, five an address (every visit here comes from 127.0.0.1): the limits test counts on that.
    stack = await startAppealStack({ warden: { appealLimits: { perPlayer: 2, perAddress: 5, windowSeconds: 3_600 } } });
    for (const [name, id] of Object.entries(PLAYERS)) stack.roblox.addUser({ id, name: `${name[0]?.toUpperCase()}${name.slice(1)}Player` });
    for (const experience of EXPERIENCES) await linkExperienceTakingAppeals(stack, experience);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("shows a signed-in player their ban with the public reason only, takes one appeal, and refuses a second while it is open", async () => {
    expect(await banThroughDiscord(stack, { user: "AlicePlayer", duration: "7d", reason: PRIVATE_REASON, public_reason: "Exploiting", experience: OBBY.universeId })).toContain("Banned");
    const player = visit();
    const page = await player.signIn("AlicePlayer");
    expect(page).toContain("Signed in as <b>AlicePlayer</b>");
    expect(page).toContain("Obby World");
    expect(page).toContain("Exploiting");
    expect(page).not.toContain("PRIVATE");
    expect(page).toContain('<meta name="viewport"');

    const { csrf, ban } = formFields(page);
    expect(ban).toBe(`${stack.guild.id}:${OBBY.universeId}:`);
    const sent = await player.post("/appeal/submit", { csrf, ban: ban ?? "", text: "I was lagging, not cheating." });
    expect(sent.status).toBe(303);
    const after = await player.page();
    expect(after).toContain("Your appeal is open");
    expect(after).toContain("I was lagging, not cheating.");
    const [row] = await appealRows(PLAYERS.alice);
    const [banCase] = await stack.database.handle.db.select().from(cases).where(and(eq(cases.robloxUserId, PLAYERS.alice), eq(cases.action, "ban")));
    expect(row).toMatchObject({ guildId: stack.guild.id, universeId: OBBY.universeId, placeId: null, state: "open", banCaseId: banCase?.id, robloxUsername: "AlicePlayer" });
    expect(row?.banStartedAt.toISOString()).toBe(stack.roblox.restriction(OBBY.universeId, PLAYERS.alice)?.startTime);
    expect(row?.submitterAddressHash).toMatch(/^[\w-]{43}$/);
    expect(row?.submitterAddressHash).not.toContain("127.0.0.1");
    // Staff see it at once: the page tells the notifier, which posts it to the appeals channel.
    await stack.discord.waitForMessage(channelId(stack, "general"), (message) => textOf(message).includes(`Appeal #${row?.id}:`));

    const again = await player.post("/appeal/submit", { csrf, ban: ban ?? "", text: "Please!" });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("You already have an open appeal for this ban");
    expect(await appealRows(PLAYERS.alice)).toHaveLength(1);
  });

  it("shows a ban Warden made at one place as that place's, with the place in its form", async () => {
    expect(await banThroughDiscord(stack, { user: "GinaPlayer", duration: "1d", reason: PRIVATE_REASON, public_reason: "Spawn killing", experience: TYCOON.universeId, place: TYCOON.placeId })).toContain("Banned");
    const page = await visit().signIn("GinaPlayer");
    expect(page).toContain(`Tycoon Town (place ${TYCOON.placeId})`);
    expect(page).toContain("Spawn killing");
    expect(formFields(page).ban).toBe(`${stack.guild.id}:${TYCOON.universeId}:${TYCOON.placeId}`);
    expect(page).not.toContain("PRIVATE");
  });

  it("refuses a forged state, a replayed callback and a code from another sign-in", async () => {
    const player = visit();
    const callback = new URL(await player.consentAt(await player.startSignIn(), "AlicePlayer"));
    const signInCookie = player.cookieHeader();
    const forged = new URL(callback);
    forged.searchParams.set("state", "forged");
    expect((await player.get(`${forged.pathname}${forged.search}`)).status).toBe(400);
    // The forged attempt spent the sign-in: even the genuine callback is now refused.
    expect((await player.get(`${callback.pathname}${callback.search}`)).status).toBe(400);

    const second = visit();
    const secondCallback = new URL(await second.consentAt(await second.startSignIn(), "AlicePlayer"));
    expect((await second.get(`${secondCallback.pathname}${secondCallback.search}`)).status).toBe(303);
    expect(await second.page()).toContain("Signed in as");
    // Replayed with the sign-in cookie it had: the code was redeemed once already.
    const replayCookie = second.cookieHeader().replace(/warden_appeal_session=[^;]+/, "");
    const replayed = await fetch(new URL(`${secondCallback.pathname}${secondCallback.search}`, stack.publicUrl), { redirect: "manual", headers: { cookie: `${replayCookie}; ${signInCookie}` } });
    expect(replayed.status).toBe(400);

    // A code obtained in one sign-in, pushed into another: its PKCE verifier does not match.
    const victim = visit();
    const victimAuthorize = new URL(await victim.startSignIn());
    const attacker = visit();
    const attackerCallback = new URL(await attacker.consentAt(await attacker.startSignIn(), "EvePlayer"));
    const injected = await victim.get(`/appeal/callback?code=${attackerCallback.searchParams.get("code")}&state=${victimAuthorize.searchParams.get("state")}`);
    expect(injected.status).toBe(400);
    expect(await victim.page()).not.toContain("Signed in as");
    expect(stack.logLines.join("\n")).toContain("invalid_grant");
  });

  it("refuses a form post without the CSRF token or with another session's", async () => {
    stack.roblox.banFromCreatorHub({ universeId: TYCOON.universeId, userId: PLAYERS.dora, displayReason: "Scamming", moderatorId: OWNER });
    const player = visit();
    const { ban } = formFields(await player.signIn("DoraPlayer"));
    const other = visit();
    const { csrf: othersToken } = formFields(await other.signIn("EvePlayer"));
    const without = await player.post("/appeal/submit", { ban: ban ?? "", text: "Let me back" });
    expect(without.status).toBe(403);
    expect((await player.post("/appeal/submit", { csrf: othersToken, ban: ban ?? "", text: "Let me back" })).status).toBe(403);
    expect((await player.post("/appeal/signout", { csrf: "wrong" })).status).toBe(403);
    expect(await appealRows(PLAYERS.dora)).toHaveLength(0);
  });

  it("shows HTML in an appeal as text", async () => {
    stack.roblox.banFromCreatorHub({ universeId: OBBY.universeId, userId: PLAYERS.hector, displayReason: "<b>bold</b> reason", moderatorId: OWNER });
    const player = visit();
    const { csrf, ban } = formFields(await player.signIn("HectorPlayer"));
    await player.post("/appeal/submit", { csrf, ban: ban ?? "", text: `<script>alert("x")</script><img src=x onerror=alert(1)>` });
    const page = await player.page();
    expect(page).not.toContain("<script>alert");
    expect(page).not.toContain("<img src=x");
    expect(page).toContain("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;");
    expect(page).toContain("&#60;b&#62;bold&#60;/b&#62; reason");
  });

  it("shows a player without bans that, and never lets them see or appeal another player's ban", async () => {
    const player = visit();
    const page = await player.signIn("EvePlayer");
    expect(page).toContain("You have no active bans");
    expect(page).not.toContain("AlicePlayer");
    const { csrf } = formFields(page);
    // Alice's ban named in Eve's form: the player comes from the session, and Eve is not banned there.
    const refused = await player.post("/appeal/submit", { csrf, ban: `${stack.guild.id}:${OBBY.universeId}:`, text: "Unban Alice" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("You have no active ban there");
    expect(await appealRows(PLAYERS.eve)).toHaveLength(0);
    expect(await appealRows(PLAYERS.alice)).toHaveLength(1);
  });

  it("tells the player when they may appeal a declined ban again, with staff's answer", async () => {
    const [row] = await appealRows(PLAYERS.hector);
    // As staff's Decline leaves it (the staff side's buttons; the browser test clicks them once both sides are joined).
    await stack.database.handle.db
      .update(appeals)
      .set({ state: "declined", publicAnswer: "Reviewed <the> logs", decidedBy: stack.guild.ownerId, decidedAt: new Date("2030-01-01T00:00:00Z") })
      .where(eq(appeals.id, row?.id ?? 0));
    const player = visit();
    const page = await player.signIn("HectorPlayer");
    expect(page).toContain("Declined.");
    expect(page).toContain("Reviewed &#60;the&#62; logs");
    expect(page).toContain("You may appeal it again from <time datetime=\"2030-01-31T00:00:00.000Z\">");
    const { csrf } = formFields(page);
    const refused = await player.post("/appeal/submit", { csrf, ban: `${stack.guild.id}:${OBBY.universeId}:`, text: "Again" });
    expect(await refused.text()).toContain("You may appeal it again from Thu, 31 Jan 2030");
    expect(await appealRows(PLAYERS.hector)).toHaveLength(1);
  });

  it("records one appeal when the same ban is appealed from several tabs at once", async () => {
    stack.roblox.banFromCreatorHub({ universeId: RACING.universeId, userId: PLAYERS.frank, displayReason: "Griefing", moderatorId: OWNER });
    const player = visit();
    const { csrf, ban } = formFields(await player.signIn("FrankPlayer"));
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, tab) => player.post("/appeal/submit", { csrf, ban: ban ?? "", text: `From tab ${tab}` })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([303, 400, 400, 400, 400]);
    expect(await appealRows(PLAYERS.frank)).toHaveLength(1);
  });

  it("limits appeals per player and per address", async () => {
    for (const experience of EXPERIENCES) stack.roblox.banFromCreatorHub({ universeId: experience.universeId, userId: PLAYERS.carl, moderatorId: OWNER });
    const player = visit();
    const page = await player.signIn("CarlPlayer");
    const { csrf } = formFields(page);
    const send = (universeId: string) => player.post("/appeal/submit", { csrf, ban: `${stack.guild.id}:${universeId}:`, text: "Sorry" });
    expect((await send(OBBY.universeId)).status).toBe(303);
    expect((await send(TYCOON.universeId)).status).toBe(303);
    const third = await send(RACING.universeId);
    expect(third.status).toBe(400);
    expect(await third.text()).toContain("Too many appeals");
    expect(await appealRows(PLAYERS.carl)).toHaveLength(2);

    // Alice 1, Hector 1, Frank 1, Carl 2: the address has sent five. Dora's first appeal is one too many from it.
    const dora = visit();
    const { csrf: doraToken, ban } = formFields(await dora.signIn("DoraPlayer"));
    const refused = await dora.post("/appeal/submit", { csrf: doraToken, ban: ban ?? "", text: "Sorry" });
    const refusal = await refused.text();
    expect(refusal).toContain("Too many appeals");
    // What Dora wrote is kept in her form, not lost.
    expect(refusal).toContain(">Sorry</textarea>");
    expect(await appealRows(PLAYERS.dora)).toHaveLength(0);

    // Behind a reverse proxy on this host, every player connects from 127.0.0.1: the address the
    // proxy forwards is the one counted, so Dora's own address has sent nothing yet.
    const proxied = await dora.post("/appeal/submit", { csrf: doraToken, ban: ban ?? "", text: "Sorry" }, { "x-forwarded-for": "203.0.113.7" });
    expect(proxied.status).toBe(303);
    expect(await appealRows(PLAYERS.dora)).toHaveLength(1);
  });

  it("signs out", async () => {
    const player = visit();
    const { csrf } = formFields(await player.signIn("EvePlayer"));
    expect((await player.post("/appeal/signout", { csrf })).status).toBe(303);
    expect(await player.page()).toContain("Sign in with Roblox");
  });
});
