import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { PermissionFlagsBits, REST, type APIMessage } from "discord.js";
import { commands } from "../../commands/index.js";
import { startWarden, type Warden, type WardenOptions } from "../../src/app.js";
import type { Permission } from "../../src/db/schema.js";
import { setGuard } from "../../src/db/moderatorPauses.js";
import { grantPermission } from "../../src/db/staffGrants.js";
import { loadConfig } from "../../src/config.js";
import { deployCommands } from "../../src/discord/deployCommands.js";
import { createLogger } from "../../src/log.js";
import { startDiscordEmulator, type DiscordEmulator, type EmulatedGuild, type GuildSeed } from "../emulators/discord/index.js";
import { startOpenCloudEmulator, type OpenCloudEmulator } from "../emulators/opencloud/index.js";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.js";

/** The whole bot, for real, against a local Discord, a local Open Cloud and a fresh PostgreSQL database. */
export interface Stack {
  discord: DiscordEmulator;
  roblox: OpenCloudEmulator;
  database: TestDatabase;
  /** The bot running in this process; replaced by `restart()`. */
  warden: Warden;
  /** The environment the bot runs with, for starting it as a separate process too. */
  env: Record<string, string>;
  /** Starts the bot (again) in this process, stopping the one running here first. */
  restart(): Promise<Warden>;
  /** The first guild: every test's own. */
  guild: EmulatedGuild;
  /** A second guild with its own owner, moderator and channels, and Warden's commands: the one a hostile id comes from. */
  otherGuild: EmulatedGuild;
  /** Every line Warden logged, as written. */
  logLines: string[];
  stop(): Promise<void>;
}

export const DEFAULT_GUILD: GuildSeed = {
  name: "Roblox Cafe",
  // Both hold Discord's moderation permissions, so Discord shows them /ban and /case; Warden's grants decide the rest.
  roles: [
    { name: "Moderator", permissions: PermissionFlagsBits.BanMembers | PermissionFlagsBits.ModerateMembers },
    { name: "Helper", permissions: PermissionFlagsBits.BanMembers | PermissionFlagsBits.ModerateMembers },
  ],
  channels: [{ name: "general" }, { name: "mod-log" }, { name: "join-requests" }],
  members: [
    { username: "owner" },
    { username: "alice", roles: ["Moderator"] },
    { username: "bob", roles: ["Helper"] },
    { username: "carol" },
  ],
  owner: "owner",
};

/** The second guild of every stack: no member in common with DEFAULT_GUILD. */
export const OTHER_GUILD: GuildSeed = {
  name: "Obby Club",
  roles: [{ name: "Moderator", permissions: PermissionFlagsBits.BanMembers | PermissionFlagsBits.ModerateMembers }],
  channels: [{ name: "general" }, { name: "mod-log" }, { name: "join-requests" }],
  members: [{ username: "other-owner" }, { username: "oscar", roles: ["Moderator"] }, { username: "olive" }],
  owner: "other-owner",
};

/** The local Open Cloud's time scale: every rate-limit window 60 times shorter, and the bot plans in the same time. */
const TIME_SCALE = 60;

export async function startStack(
  guildSeed: GuildSeed = DEFAULT_GUILD,
  options: {
    startBot?: boolean;
    joinRequestMinIntervalSeconds?: number;
    keyCheckSeconds?: number;
    banExpirySeconds?: number;
    banSyncSeconds?: number;
    groupAuditSyncSeconds?: number;
    appealSweepSeconds?: number;
    /** A PostgreSQL server of the test's own, e.g. one it stops. */
    postgresServerUrl?: string;
    /** More settings, e.g. HTTP_PORT. */
    env?: Record<string, string>;
    /** The time scale the local Open Cloud enforces and the bot plans in. */
    timeScale?: number;
    /** Plan in another time than the one enforced: a much larger scale removes the bot's pacing. */
    botTimeScale?: number;
    /** Time the bot has for an interaction's first callback; Discord's is 3 s (the default). */
    interactionDeadlineMs?: number;
    /** Keep the guard against rogue moderators at its default (10 actions a minute); off otherwise. */
    guard?: boolean;
    /** More of the bot's start options, e.g. lower appeal limits. */
    warden?: Pick<WardenOptions, "appealLimits">;
  } = {},
): Promise<Stack> {
  const timeScale = options.timeScale ?? TIME_SCALE;
  const discord = await startDiscordEmulator({ guilds: [guildSeed, OTHER_GUILD], interactionDeadlineMs: options.interactionDeadlineMs });
  const roblox = await startOpenCloudEmulator({ timeScale });
  const database = await createTestDatabase("postgres", { migrate: false, serverUrl: options.postgresServerUrl });
  const dataDir = mkdtempSync(path.join(tmpdir(), "warden-e2e-"));
  const [guild, otherGuild] = discord.guilds;
  if (guild === undefined || otherGuild === undefined) throw new Error("the local Discord lacks a guild");
  // The bot registers its commands to DEV_GUILD_ID only; the second guild gets them as an operator would, by `npm run deploy-commands`.
  await deployCommands(new REST({ api: discord.apiUrl }).setToken(discord.token), discord.applicationId, commands, otherGuild.id);

  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  const env = {
    DISCORD_TOKEN: discord.token,
    DATABASE_URL: database.url ?? "",
    DATA_DIR: dataDir,
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    DEV_GUILD_ID: guild.id,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_CDN_URL: discord.cdnUrl,
    OPENCLOUD_URL: roblox.openCloudUrl,
    ROBLOX_USERS_URL: roblox.usersUrl,
    ROBLOX_THUMBNAILS_URL: roblox.thumbnailsUrl,
    ROBLOX_OAUTH_URL: roblox.oauthUrl,
    LOG_LEVEL: "trace",
    ...options.env,
  };
  const config = loadConfig(env, { requireDiscordToken: true });
  let running: Warden | undefined;
  const start = async () => {
    await running?.stop();
    running = await startWarden(config, createLogger(config.logLevel, sink), {
      ...options.warden,
      openCloudRetry: { backoffBaseMs: 5, backoffMaxMs: 20 },
      openCloudTimeScale: options.botTimeScale ?? timeScale,
      // Each job runs only in the tests about it: one firing at the top of the hour would add calls others count.
      jobs: {
        joinRequestMinIntervalSeconds: options.joinRequestMinIntervalSeconds ?? "off",
        keyCheckSeconds: options.keyCheckSeconds ?? "off",
        banExpirySeconds: options.banExpirySeconds ?? "off",
        banSyncSeconds: options.banSyncSeconds ?? "off",
        groupAuditSyncSeconds: options.groupAuditSyncSeconds ?? "off",
        appealSweepSeconds: options.appealSweepSeconds ?? "off",
        workerPollingSeconds: 0.5,
      },
    });
    return running;
  };
  if (options.startBot ?? true) {
    await start();
    // Tests ban in bursts a guard would pause: off unless the test is about it.
    if (options.guard !== true) for (const seeded of [guild, otherGuild]) await setGuard(database.handle.db, seeded.id, 0, 60);
  }

  return {
    discord,
    roblox,
    database,
    get warden() {
      if (running === undefined) throw new Error("the bot is not running in this process");
      return running;
    },
    env,
    restart: start,
    guild,
    otherGuild,
    logLines,
    async stop() {
      await running?.stop();
      await Promise.all([discord.close(), roblox.close()]);
      await database.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The same stack seen from its second guild: every helper here then acts there. */
export function inOtherGuild(stack: Stack): Stack {
  return Object.create(stack, { guild: { value: stack.otherGuild } }) as Stack;
}

/** An experience in the local Open Cloud with a key that may read and write its bans, owned by `ownerId`. */
export function addExperienceWithKey(
  roblox: OpenCloudEmulator,
  experience: { universeId: string; name: string; placeId: string; ownerId: string; key: string },
): void {
  roblox.addUniverse({ id: experience.universeId, displayName: experience.name, placeIds: [experience.placeId] });
  roblox.addApiKey({
    key: experience.key,
    ownerId: experience.ownerId,
    scopes: [{ name: "universe.user-restriction", operations: ["read", "write"], universeIds: [experience.universeId] }],
  });
}

/** A group in the local Open Cloud, owned by `ownerId`, with a key that may read and write it. */
export function addGroupWithKey(roblox: OpenCloudEmulator, group: { groupId: string; name: string; ownerId: string; key: string }): void {
  roblox.addGroup({ id: group.groupId, displayName: group.name, ownerId: group.ownerId });
  roblox.addApiKey({ key: group.key, ownerId: group.ownerId, scopes: [{ name: "group", operations: ["read", "write"], groupIds: [group.groupId] }] });
}

/** How many runs of a scheduled job have finished, in any process: what a test waits on instead of the clock. */
export async function finishedRuns(stack: Pick<Stack, "database">, queue: string): Promise<number> {
  const { rows } = await stack.database.handle.executeSql(
    "SELECT count(*)::int AS runs FROM pgboss.job WHERE name = $1 AND state = 'completed'",
    [queue],
  );
  return (rows[0] as { runs: number }).runs;
}

/** The member's user id by the username seeded in DEFAULT_GUILD. */
export function memberId(stack: Pick<Stack, "guild">, username: string): string {
  const id = stack.guild.members[username];
  if (id === undefined) throw new Error(`no member named ${username}`);
  return id;
}

export function channelId(stack: Pick<Stack, "guild">, name: string): string {
  const id = stack.guild.channels[name];
  if (id === undefined) throw new Error(`no channel named ${name}`);
  return id;
}

export function roleId(stack: Pick<Stack, "guild">, name: string): string {
  const id = stack.guild.roles[name];
  if (id === undefined) throw new Error(`no role named ${name}`);
  return id;
}

/** The custom ids of a message's buttons, in order. */
export function customIdsOf(message: APIMessage): string[] {
  return [...JSON.stringify(message.components ?? []).matchAll(/"custom_id":"([^"]+)"/g)].map((match) => match[1] ?? "");
}

/** The message's button whose custom id starts with `prefix` (e.g. `mb:ok:`); the test fails without one. */
export function customIdStarting(message: APIMessage, prefix: string): string {
  const found = customIdsOf(message).find((id) => id.startsWith(prefix));
  if (found === undefined) throw new Error(`no ${prefix} button on: ${textOf(message)}`);
  return found;
}

/** What a message shows a person: its content and its embeds' text. */
export function textOf(message: APIMessage): string {
  return [
    message.content,
    ...message.embeds.flatMap((embed) => [
      embed.title,
      embed.description,
      ...(embed.fields ?? []).flatMap((field) => [field.name, field.value]),
    ]),
  ]
    .filter(Boolean)
    .join("\n");
}

/** Links a universe the way an owner does: /setup experience, then the API-key form. Returns the reply. */
export async function linkThroughForm(
  stack: Pick<Stack, "discord" | "guild">,
  kind: "experience" | "group",
  robloxId: string,
  apiKey: string,
  userId = stack.guild.ownerId,
): Promise<string> {
  const handle = await stack.discord.runCommand({
    guildId: stack.guild.id,
    channelId: channelId(stack, "general"),
    userId,
    name: "setup",
    subcommand: kind,
    options: kind === "experience" ? { universe: robloxId } : { group: robloxId },
  });
  await handle.waitForCallback();
  const modal = handle.modal;
  if (modal === undefined) throw new Error("no modal was shown");
  const submitted = await stack.discord.submitModal({
    guildId: stack.guild.id,
    channelId: channelId(stack, "general"),
    userId,
    customId: modal.custom_id,
    fields: { api_key: apiKey },
  });
  return textOf(await submitted.waitForReply());
}

/** Runs a slash command as `userId` in #general and returns the text of its final reply. */
export async function replyTo(
  stack: Pick<Stack, "discord" | "guild">,
  userId: string,
  name: string,
  subcommand: string | undefined,
  options: Record<string, string | number | boolean> = {},
): Promise<string> {
  const handle = await stack.discord.runCommand({
    guildId: stack.guild.id,
    channelId: channelId(stack, "general"),
    userId,
    name,
    ...(subcommand === undefined ? {} : { subcommand }),
    options,
  });
  return textOf(await handle.waitForReply());
}

/** Grants Warden permissions directly, as /staff grant would. */
export async function grant(stack: Stack, subject: { type: "role" | "user"; id: string }, ...permissions: Permission[]) {
  for (const permission of permissions) {
    await grantPermission(stack.database.handle.db, {
      guildId: stack.guild.id,
      subject,
      permission,
      grantedBy: stack.guild.ownerId,
    });
  }
}
