import type { APIMessage } from "discord.js";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listEvidence } from "../../src/db/evidence.js";
import { cases, evidence } from "../../src/db/schema.js";
import { findCase } from "../../src/db/cases.js";
import { SAMPLES } from "../support/evidenceSamples.js";
import { addExperienceWithKey, channelId, customIdStarting, grant, linkThroughForm, memberId, replyTo, startStack, textOf, type Stack } from "./stack.js";

const EXPERIENCE = { universeId: "7301", name: "Proof Park", placeId: "7302", ownerId: "96", key: `proof-key-${"p".repeat(60)}` };
const MIB = 1024 * 1024;

/** What a link serves, as anyone opening it gets it. */
async function download(url: string | undefined): Promise<Buffer> {
  if (url === undefined) throw new Error("no link");
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

const evidenceField = (message: APIMessage | undefined) => message?.embeds[0]?.fields?.find((field) => field.name.startsWith("Evidence"));

describe("evidence kept with a case", () => {
  let stack: Stack;
  let owner: string;
  let alice: string;
  let bob: string;
  let modLog: string;
  const screenshot = Buffer.concat([SAMPLES.png, Buffer.alloc(300_000, 0xab)]);
  const chatLog = Buffer.from("12:00 <griefer> gg ez\n12:01 <griefer> deleting your base now\n", "utf8");
  const clip = Buffer.concat([SAMPLES.gif, Buffer.alloc(2_000, 0x11)]);

  const upload = (filename: string, content: Buffer) => stack.discord.uploadAttachment({ filename, content });
  const numberIn = (text: string) => Number(/Case #(\d+)/.exec(text)?.[1]);
  const modLogEntry = (number: number) => stack.discord.waitForMessage(modLog, (message) => textOf(message).includes(`Case #${number} · Ban`));
  const caseCount = async () => (await stack.database.handle.db.select({ n: count() }).from(cases).where(eq(cases.guildId, stack.guild.id)))[0]?.n;
  const evidenceCount = async () => (await stack.database.handle.db.select({ n: count() }).from(evidence))[0]?.n;
  const filesOf = async (number: number) => {
    const row = await findCase(stack.database.handle.db, stack.guild.id, number);
    return row === undefined ? [] : listEvidence(stack.database.handle.db, row.id);
  };

  beforeAll(async () => {
    stack = await startStack();
    owner = memberId(stack, "owner");
    alice = memberId(stack, "alice");
    bob = memberId(stack, "bob");
    modLog = channelId(stack, "mod-log");
    stack.roblox.addUser({ id: "96", name: "ParkOwner" });
    for (const [id, name] of [["301", "griefer"], ["302", "exploiter"], ["303", "spammer"], ["304", "raider"]]) stack.roblox.addUser({ id: id!, name: name! });
    addExperienceWithKey(stack.roblox, EXPERIENCE);
    await linkThroughForm(stack, "experience", EXPERIENCE.universeId, EXPERIENCE.key);
    await replyTo(stack, owner, "setup", "channels", { log: modLog });
    await grant(stack, { type: "user", id: alice }, "ban", "lookup", "manage_cases");
    await grant(stack, { type: "user", id: bob }, "lookup");
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("shows a /ban's evidence in the mod log and in /case show, after its link expired and after the mod-log message was deleted", async () => {
    const proof = upload("proof.png", screenshot);
    const number = numberIn(await replyTo(stack, alice, "ban", undefined, { user: "griefer", duration: "1d", reason: "griefing", evidence: proof }));
    const posted = await modLogEntry(number);
    expect(evidenceField(posted)?.value).toContain("`proof.png` · 293.0 KiB");
    expect(await download(posted.embeds[0]?.image?.url)).toEqual(screenshot);
    stack.discord.expireAttachment(proof);

    // Added later, by another moderator: the same message is edited, the image stays.
    const log = upload("chat.log", chatLog);
    expect(await replyTo(stack, alice, "case", "evidence", { number, file: log })).toContain(`Kept \`chat.log\` (${chatLog.length} B) as evidence of case #${number}.`);
    stack.discord.expireAttachment(log);
    const edited = stack.discord.message(posted.id);
    expect(evidenceField(edited)?.name).toBe("Evidence (2)");
    expect(evidenceField(edited)?.value).toBe(`1. \`proof.png\` · 293.0 KiB · <@${alice}>\n2. \`chat.log\` · ${chatLog.length} B · <@${alice}>`);
    expect(await download(edited?.embeds[0]?.image?.url)).toEqual(screenshot);
    expect(stack.discord.messages(modLog).filter((message) => textOf(message).includes(`Case #${number} · Ban`))).toHaveLength(1);

    // Someone deletes the mod-log message: the files are still Warden's to show.
    stack.discord.deleteMessage(posted.id);
    const handle = await stack.discord.runCommand({ guildId: stack.guild.id, channelId: channelId(stack, "general"), userId: bob, name: "case", subcommand: "show", options: { number } });
    const shown = await handle.waitForReply();
    expect(shown.attachments.map((file) => file.filename)).toEqual(["1-proof.png", "2-chat.log"]);
    expect(await download(shown.attachments[0]?.url)).toEqual(screenshot);
    expect(await download(shown.attachments[1]?.url)).toEqual(chatLog);
    expect(shown.embeds[0]?.image?.url).toBe(shown.attachments[0]?.url);
    expect(evidenceField(shown)?.name).toBe("Evidence (2)");

    // The next change posts the case again, whole, with the newest image shown.
    expect(await replyTo(stack, alice, "case", "evidence", { number, file: upload("Replay Clip!.gif", clip) })).toContain(`as evidence of case #${number}.`);
    const reposted = await stack.discord.waitForMessage(modLog, (message) => message.id !== posted.id && textOf(message).includes(`Case #${number} · Ban`));
    expect(evidenceField(reposted)?.name).toBe("Evidence (3)");
    expect(reposted.attachments.map((file) => file.filename)).toEqual(["3-Replay_Clip.gif"]);
    expect(await download(reposted.embeds[0]?.image?.url)).toEqual(clip);
    expect((await filesOf(number)).map((file) => [file.fileName, file.contentType, file.addedByDiscordId])).toEqual([
      ["proof.png", "image/png", alice],
      ["chat.log", "text/plain; charset=utf-8", alice],
      ["Replay Clip!.gif", "image/gif", alice],
    ]);
  });

  it("keeps a permanent ban's evidence through its confirmation, though the link expires meanwhile", async () => {
    const proof = upload("aimbot.mp4", SAMPLES.mp4);
    const handle = await stack.discord.runCommand({
      guildId: stack.guild.id,
      channelId: channelId(stack, "general"),
      userId: alice,
      name: "ban",
      options: { user: "exploiter", duration: "perm", reason: "aimbot", evidence: proof },
    });
    const question = await handle.waitForReply();
    stack.discord.expireAttachment(proof);
    const click = await stack.discord.clickButton({ userId: alice, messageId: question.id, customId: customIdStarting(question, "ban:ok:") });
    const number = numberIn(textOf(await click.waitForReply((message) => textOf(message).includes("Case #"))));
    const posted = await modLogEntry(number);
    // A clip is listed, not shown: an embed shows images only.
    expect(evidenceField(posted)?.value).toContain(`\`aimbot.mp4\` · ${SAMPLES.mp4.length} B`);
    expect(posted.embeds[0]?.image).toBeUndefined();
    expect(posted.attachments).toEqual([]);
    expect((await filesOf(number)).map((file) => file.contentType)).toEqual(["video/mp4"]);
  });

  it("refuses an oversized, disguised or expired file on /ban before anything reaches Roblox, so the moderator can retry", async () => {
    const [casesBefore, filesBefore] = [await caseCount(), await evidenceCount()];
    stack.roblox.clearCalls();
    const ban = (file: string) => replyTo(stack, alice, "ban", undefined, { user: "spammer", duration: "1d", reason: "spam", evidence: file });

    expect(await ban(upload("huge.png", Buffer.concat([SAMPLES.png, Buffer.alloc(8 * MIB)])))).toContain("`huge.png` is larger than 8 MiB");
    expect(await ban(upload("fake.png", Buffer.from("MZ\x90\x00 not a picture", "latin1")))).toContain("`fake.png` is not a PNG image");
    expect(await ban(upload("photo.png", SAMPLES.jpg))).toContain("`photo.png` is not a PNG image: its content is a JPEG image");
    const expired = upload("old.png", screenshot);
    stack.discord.expireAttachment(expired);
    expect(await ban(expired)).toContain("The link to `old.png` has expired");

    expect(stack.roblox.calls).toEqual([]);
    expect([await caseCount(), await evidenceCount()]).toEqual([casesBefore, filesBefore]);
    // Fixed and sent again, the ban goes through with its file.
    const number = numberIn(await ban(upload("photo.jpg", SAMPLES.jpg)));
    expect((await filesOf(number)).map((file) => file.fileName)).toEqual(["photo.jpg"]);
  });

  it("refuses an oversized or disguised file on /case evidence, and a member without manage_cases, leaving the case as it was", async () => {
    const number = numberIn(await replyTo(stack, alice, "ban", undefined, { user: "raider", duration: "2d", reason: "raid" }));
    const posted = await modLogEntry(number);
    const edits = () => stack.discord.requests.filter((request) => request.method === "PATCH" && request.path.endsWith(`/messages/${posted.id}`));
    const add = (userId: string, file: string) => replyTo(stack, userId, "case", "evidence", { number, file });

    expect(await add(alice, upload("huge.log", Buffer.alloc(8 * MIB + 1, 0x61)))).toContain("`huge.log` is larger than 8 MiB");
    expect(await add(alice, upload("evil.gif", Buffer.from("<script>alert(1)</script>")))).toContain("`evil.gif` is not a GIF image");
    expect(await add(bob, upload("mine.png", SAMPLES.png))).toContain("You need Warden's `manage_cases` permission");
    expect(await add(alice, upload("note.txt", chatLog))).not.toContain("There is no case");
    expect(await replyTo(stack, alice, "case", "evidence", { number: 9999, file: upload("lost.txt", chatLog) })).toContain("There is no case #9999");

    expect((await filesOf(number)).map((file) => file.fileName)).toEqual(["note.txt"]);
    expect(edits()).toHaveLength(1);
  });

  it("keeps at most ten files a case", async () => {
    const number = numberIn(await replyTo(stack, owner, "ban", undefined, { user: "raider", duration: "1h", reason: "again" }));
    for (let i = 1; i <= 10; i++) expect(await replyTo(stack, owner, "case", "evidence", { number, file: upload(`line${i}.txt`, chatLog) })).toContain("Kept");
    expect(await replyTo(stack, owner, "case", "evidence", { number, file: upload("eleven.txt", chatLog) })).toContain(
      `Case #${number} already keeps 10 files`,
    );
    expect(await filesOf(number)).toHaveLength(10);
  });
});
