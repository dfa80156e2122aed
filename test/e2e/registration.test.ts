import { ApplicationCommandOptionType, type APIApplicationCommand, type APIApplicationCommandOption } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import { startStack, type Stack } from "./stack.js";

/** DESIGN.md's table of slash commands: options in order, `?` marking the optional ones. */
const DESIGN: Record<string, string[] | Record<string, string[]>> = {
  ban: ["user", "duration", "reason", "public_reason?", "experience?", "place?", "exclude_alts?", "evidence?"],
  unban: ["user", "experience?", "place?", "reason?"],
  bans: ["experience?", "place?"],
  // Discord takes the required options first.
  massban: ["duration", "reason", "users?", "file?", "public_reason?", "experience?", "exclude_alts?"],
  massunban: ["users?", "file?", "reason?", "experience?"],
  lookup: ["user"],
  rank: ["user", "role", "group?", "reason?"],
  suspend: ["user", "duration", "reason", "group?"],
  unsuspend: ["user", "group?", "reason?"],
  history: ["user", "experience?"],
  joinrequests: { review: ["group?"], bulk: ["decision", "group?"], rules: ["group?", "min_account_age?", "decline_banned?", "auto_accept?"] },
  case: { show: ["number"], reason: ["number", "reason"], note: ["number", "text"], evidence: ["number", "file"], list: ["user?", "moderator?", "action?"] },
  setup: {
    experience: ["universe", "name?"],
    group: ["group", "name?"],
    channels: ["log?", "review?"],
    ranks: ["group", "suspended_role", "max_role"],
    guard: ["actions", "seconds?"],
    appeals: ["channel", "enabled", "cooldown_days?"],
    show: [],
    remove: ["experience?", "group?"],
  },
  staff: {
    grant: ["permission", "role?", "user?"],
    revoke: ["permission", "role?", "user?"],
    list: [],
    release: ["user"],
  },
};

const optionNames = (options: APIApplicationCommandOption[] | undefined) =>
  (options ?? []).map((option) => ("required" in option && option.required ? option.name : `${option.name}?`));

function shapeOf(command: APIApplicationCommand): string[] | Record<string, string[]> {
  const options = command.options ?? [];
  if (options.every((option) => option.type !== ApplicationCommandOptionType.Subcommand)) return optionNames(options);
  return Object.fromEntries(
    options.map((sub) => [sub.name, optionNames("options" in sub ? (sub.options as APIApplicationCommandOption[]) : [])]),
  );
}

describe("start-up against the local Discord", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("registers its commands to DEV_GUILD_ID with the names and options DESIGN.md promises", () => {
    const registered = stack.discord.registeredCommands(stack.guild.id);
    expect(stack.discord.registeredCommands()).toEqual([]);
    const shapes = Object.fromEntries(registered.map((command) => [command.name, shapeOf(command)]));
    // Every command DESIGN.md lists, and no other: a command missing from the deployment fails here too.
    expect(Object.keys(shapes).sort()).toEqual(Object.keys(DESIGN).sort());
    for (const [name, shape] of Object.entries(shapes)) expect(shape, `/${name}`).toEqual(DESIGN[name]);
  });

  it("deploys exactly the registry of commands/index.ts, each definition as written", () => {
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    const registered = stack.discord.registeredCommands(stack.guild.id).sort(byName);
    // As it travels: JSON drops what is undefined.
    const definitions = commands.map((command) => JSON.parse(JSON.stringify(command.definition)) as Record<string, unknown>).sort(byName as never);
    expect(registered.map((command) => command.name)).toEqual(definitions.map((definition) => definition.name));
    registered.forEach((command, index) => {
      const definition = definitions[index] ?? {};
      const deployed = Object.fromEntries(Object.keys(definition).map((key) => [key, command[key as keyof typeof command]]));
      expect(deployed, `/${command.name}`).toEqual(definition);
    });
  });

  it("hides the commands that change things from ordinary members", () => {
    const registered = stack.discord.registeredCommands(stack.guild.id);
    for (const command of registered) {
      expect(command.default_member_permissions, `/${command.name}`).not.toBeNull();
      expect(command.contexts, `/${command.name}`).toEqual([0]);
    }
  });

  it("makes no request to a route Discord does not have", () => {
    expect(stack.discord.unknownRoutes).toEqual([]);
  });
});
