/**
 * The appeal pages in a real browser: Debian's Chromium, headless, driven by
 * playwright-core, through the local Roblox's sign-in and consent pages. Kept
 * in its own file so the browser's cost shows on its own line.
 */
import { eq } from "drizzle-orm";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appeals } from "../../src/db/schema.js";
import { banThroughDiscord, linkExperienceTakingAppeals, startAppealStack, type AppealStack } from "./appealSite.js";

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

  // The page stays signed in: the staff side's steps (Accept or Decline clicked in the local Discord)
  // follow here, each then reloading this page to see the outcome and the staff's answer.
  it("keeps the player signed in across a reload, still showing the open appeal", async () => {
    await page.reload();
    expect(await page.locator("header").innerText()).toContain(`Signed in as ${PLAYER.name}`);
    expect(await page.locator("section.appeal .state").innerText()).toBe("Open: waiting for staff.");
  });
});
