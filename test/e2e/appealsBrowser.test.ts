/**
 * The appeal pages in a real browser: Debian's Chromium, headless, driven by
 * playwright-core, through the local Roblox's sign-in and consent pages. Kept
 * in its own file so the browser's cost shows on its own line.
 */
import { and, eq } from "drizzle-orm";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appeals, cases } from "../../src/db/schema.js";
import { banThroughDiscord, linkExperienceTakingAppeals, startAppealStack, type AppealStack } from "./appealSite.js";
import { channelId, replyTo, textOf } from "./stack.js";

const EXPERIENCE = { universeId: "6501", name: "Sword Fights", placeId: "6502", ownerId: "6590", key: `browser-appeal-key-${"b".repeat(50)}` };
const PLAYER = { id: "6510", name: "BrowserBanned" };
const PRIVATE_REASON = "PRIVATE: alt of a known exploiter, see mod notes";

describe("appealing a ban in a real browser", () => {
  let stack: AppealStack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    stack = await startAppealStack();
    stack.roblox.addUser(PLAYER);
    await linkExperienceTakingAppeals(stack, EXPERIENCE);
    const banned = await banThroughDiscord(stack, { user: PLAYER.name, duration: "30d", reason: PRIVATE_REASON, public_reason: "Teaming in free-for-all" });
    if (!banned.includes("Banned")) throw new Error(`the ban was not made: ${banned}`);
    // Chromium refuses to run as root inside its sandbox; CI containers run as root.
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: process.getuid?.() === 0 ? ["--no-sandbox"] : [] });
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("signs the banned player in through Roblox and shows the ban with its public reason, never the private one", async () => {
    await page.goto(`${stack.publicUrl}/appeal`);
    await page.getByRole("link", { name: "Sign in with Roblox" }).click();
    // The local Roblox: its sign-in page, then its consent page.
    await page.getByLabel("Username").fill(PLAYER.name);
    await page.getByRole("button", { name: "Log In" }).click();
    await expect.poll(() => page.locator("#signed-in-as").textContent()).toBe(PLAYER.name);
    await page.getByRole("button", { name: "Authorize" }).click();

    await page.waitForURL(`${stack.publicUrl}/appeal`);
    const ban = page.locator("section.ban");
    await expect.poll(() => ban.count()).toBe(1);
    expect(await ban.innerText()).toContain("Sword Fights");
    expect(await ban.innerText()).toContain("Teaming in free-for-all");
    const startTime = stack.roblox.restriction(EXPERIENCE.universeId, PLAYER.id)?.startTime;
    expect(await ban.locator("time").first().getAttribute("datetime")).toBe(startTime === undefined ? "" : new Date(startTime).toISOString());
    expect(await ban.innerText()).toMatch(/until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(await page.content()).not.toContain("PRIVATE");
  });

  it("submits an appeal, then shows it open and offers no second one", async () => {
    await page.getByLabel("Why should this ban be lifted?").fill("I was on the same team by accident. <b>Sorry</b>");
    await page.getByRole("button", { name: "Send appeal" }).click();
    await page.waitForURL(`${stack.publicUrl}/appeal`);
    expect(await page.locator("section.ban").innerText()).toContain("Your appeal is open");
    expect(await page.locator("section.ban textarea").count()).toBe(0);
    expect(await page.locator("section.appeal").innerText()).toContain("I was on the same team by accident. <b>Sorry</b>");

    const rows = await stack.database.handle.db.select().from(appeals).where(eq(appeals.robloxUserId, PLAYER.id));
    expect(rows).toMatchObject([{ universeId: EXPERIENCE.universeId, state: "open", text: "I was on the same team by accident. <b>Sorry</b>", robloxUsername: PLAYER.name }]);
  });

  /** The player's appeal, once the page has told staff: its row and its post in the appeals channel. */
  async function postedAppeal(state: "open" | "declined" | "accepted" = "open") {
    const rows = await stack.database.handle.db.select().from(appeals).where(and(eq(appeals.robloxUserId, PLAYER.id), eq(appeals.state, state)));
    const row = rows.at(-1);
    if (row === undefined) throw new Error(`no ${state} appeal`);
    const post = await stack.discord.waitForMessage(channelId(stack, "general"), (message) => textOf(message).includes(`Appeal #${row.id}:`));
    return { row, post };
  }

  it("keeps the player signed in across a reload, still showing the open appeal", async () => {
    await page.reload();
    expect(await page.locator("header").innerText()).toContain(`Signed in as ${PLAYER.name}`);
    expect(await page.locator("section.appeal .state").innerText()).toBe("Open: waiting for staff.");
  });

  it("brings the appeal to staff with its case, and shows the player the outcome once staff accept", async () => {
    const { row, post } = await postedAppeal();
    // Staff see what the player never does: the private reason, beside the appeal and its case.
    expect(textOf(post)).toContain(PRIVATE_REASON);
    expect(textOf(post)).toContain("I was on the same team by accident. <b>Sorry</b>");
    const [banCase] = await stack.database.handle.db.select().from(cases).where(eq(cases.id, row.banCaseId ?? 0));
    expect(textOf(post)).toContain(`#${banCase?.number}`);

    await (await stack.discord.clickButton({ userId: stack.guild.ownerId, messageId: post.id, customId: `ap:a:${row.id}` })).waitForCallback();
    await expect.poll(async () => (await stack.database.handle.db.select().from(appeals).where(eq(appeals.id, row.id)))[0]?.state).toBe("accepted");
    expect(stack.roblox.restriction(EXPERIENCE.universeId, PLAYER.id)?.active).toBe(false);
    await stack.discord.waitForMessage(channelId(stack, "mod-log"), (message) => textOf(message).includes("Unban") && textOf(message).includes(`Appeal #${row.id} accepted`));

    await page.reload();
    expect(await page.locator("section.ban").count()).toBe(0);
    expect(await page.locator("section.appeal .state").innerText()).toBe("Accepted: the ban was lifted.");
  });

  it("shows staff's answer to a declined appeal, and takes no new one until the cooling-off ends", async () => {
    const banned = await banThroughDiscord(stack, { user: PLAYER.name, duration: "7d", reason: PRIVATE_REASON, public_reason: "Teaming again" });
    if (!banned.includes("Banned")) throw new Error(`the ban was not made: ${banned}`);
    await page.reload();
    await page.getByLabel("Why should this ban be lifted?").fill("Please, one more chance.");
    await page.getByRole("button", { name: "Send appeal" }).click();
    await page.waitForURL(`${stack.publicUrl}/appeal`);
    const { row, post } = await postedAppeal();

    const opened = await stack.discord.clickButton({ userId: stack.guild.ownerId, messageId: post.id, customId: `ap:d:${row.id}` });
    await opened.waitForCallback();
    const answer = "Teaming twice in a week: <i>no</i>.";
    const sent = await stack.discord.submitModal({ guildId: stack.guild.id, channelId: channelId(stack, "general"), userId: stack.guild.ownerId, customId: `ap:d:${row.id}`, fields: { answer } });
    expect(textOf(await sent.waitForReply())).toContain(`Appeal #${row.id} declined.`);

    await page.reload();
    const declined = page.locator(`section.appeal[data-appeal="${row.id}"]`);
    expect(await declined.locator(".state").innerText()).toBe("Declined.");
    expect(await declined.locator(".answer").innerText()).toBe(answer);
    expect(await page.locator("section.ban").innerText()).toContain("You may appeal it again from");
    expect(await page.locator("section.ban textarea").count()).toBe(0);

    // A configurer shortens the cooling-off to nothing: the same ban can be appealed again at once.
    await replyTo(stack, stack.guild.ownerId, "setup", "appeals", { channel: channelId(stack, "general"), enabled: true, cooldown_days: 0 });
    await page.reload();
    expect(await page.locator("section.ban textarea").count()).toBe(1);
  });
});
