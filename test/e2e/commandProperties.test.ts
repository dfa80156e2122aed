import { ApplicationCommandOptionType, type APIApplicationCommand, type APIApplicationCommandOption } from "discord.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import type { OptionValue } from "../emulators/discord/index.js";
import { errorsLogged, expectHandledSafely, hostileText, hostileTextUpTo, isWrite, linkUnguessables } from "./hostileInput.js";
import { startStack, type Stack } from "./stack.js";

interface Invocation {
  name: string;
  subcommand?: string;
  options: Record<string, OptionValue>;
  userId: string;
}

interface Autocompletion extends Invocation {
  focused: string;
  value: string;
}

/** Discord's range for integer options. */
const DISCORD_INTEGER = 2 ** 53;

type Leaf = { command: APIApplicationCommand; subcommand?: string; options: APIApplicationCommandOption[] };

/** Every command and subcommand as deployed, with the options a member fills in. */
function leavesOf(commands: APIApplicationCommand[]): Leaf[] {
  return commands.flatMap((command) => {
    const options = command.options ?? [];
    const subcommands = options.filter((option) => option.type === ApplicationCommandOptionType.Subcommand);
    if (subcommands.length === 0) return [{ command, options }];
    return subcommands.map((sub) => ({ command, subcommand: sub.name, options: ("options" in sub ? sub.options : undefined) ?? [] }));
  });
}

describe("every command's options, filled in by a hostile member", () => {
  let stack: Stack;
  let leaves: Leaf[];

  /** A value Discord would deliver for the option: hostile where the option is free text, one of the guild's where it picks. */
  function valueFor(option: APIApplicationCommandOption): fc.Arbitrary<OptionValue> {
    const guild = stack.guild;
    switch (option.type) {
      case ApplicationCommandOptionType.String:
        if (option.choices !== undefined && option.choices.length > 0) return fc.constantFrom(...option.choices.map((choice) => choice.value));
        return hostileTextUpTo(option.max_length).filter((text) => text.length >= (option.min_length ?? 0));
      case ApplicationCommandOptionType.Integer: {
        const min = option.min_value ?? -DISCORD_INTEGER;
        const max = option.max_value ?? DISCORD_INTEGER;
        return fc.oneof(fc.constantFrom(min, max, Math.max(min, Math.min(max, 0))), fc.integer({ min: Math.max(min, -1_000), max: Math.min(max, 1_000) }), fc.maxSafeInteger().filter((n) => n >= min && n <= max));
      }
      case ApplicationCommandOptionType.Boolean:
        return fc.boolean();
      case ApplicationCommandOptionType.User:
        return fc.constantFrom(...Object.values(guild.members));
      case ApplicationCommandOptionType.Role:
        return fc.constantFrom(...Object.values(guild.roles));
      case ApplicationCommandOptionType.Channel:
        return fc.constantFrom(...Object.values(guild.channels));
      case ApplicationCommandOptionType.Attachment:
        // A file the member uploads with the command: any name, any bytes, its link fresh or expired.
        return fc
          .record({
            filename: fc.oneof(fc.constantFrom("list.txt", "list.csv", "LIST.CSV", "list.png", "list"), hostileText.filter((text) => text.length > 0 && text.length <= 100)),
            content: fc.oneof(hostileText, fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes))),
            expired: fc.boolean(),
          })
          .map(({ filename, content, expired }) => {
            const id = stack.discord.uploadAttachment({ filename, content });
            if (expired) stack.discord.expireAttachment(id);
            return id;
          });
      default:
        throw new Error(`teach this test to fill in option type ${option.type} (/${option.name})`);
    }
  }

  /** The owner (every permission) mostly; members whom Discord shows the command but Warden granted nothing, too. */
  const invoker = (command: APIApplicationCommand) => {
    const channelId = stack.guild.channels.general ?? "";
    const needed = BigInt(command.default_member_permissions ?? "0");
    const shown = Object.values(stack.guild.members).filter((userId) => (stack.discord.permissionsIn(channelId, userId) & needed) === needed);
    return fc.oneof({ arbitrary: fc.constant(stack.guild.ownerId), weight: 3 }, fc.constantFrom(...shown));
  };

  function invocation(leaf: Leaf): fc.Arbitrary<Invocation> {
    const record: Record<string, fc.Arbitrary<OptionValue | undefined>> = {};
    for (const option of leaf.options) {
      const value = valueFor(option);
      record[option.name] = "required" in option && option.required ? value : fc.option(value, { nil: undefined });
    }
    return fc.record({ options: fc.record(record), userId: invoker(leaf.command) }).map(({ options, userId }) => ({
      name: leaf.command.name,
      ...(leaf.subcommand === undefined ? {} : { subcommand: leaf.subcommand }),
      options: Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Record<string, OptionValue>,
      userId,
    }));
  }

  function autocompletion(leaf: Leaf): fc.Arbitrary<Autocompletion> | undefined {
    const completable = leaf.options.filter((option) => "autocomplete" in option && option.autocomplete === true).map((option) => option.name);
    if (completable.length === 0) return undefined;
    return fc
      .tuple(fc.constantFrom(...completable), hostileText, invoker(leaf.command))
      .map(([focused, value, userId]) => ({ name: leaf.command.name, ...(leaf.subcommand === undefined ? {} : { subcommand: leaf.subcommand }), options: {}, userId, focused, value }));
  }

  beforeAll(async () => {
    stack = await startStack(undefined, { interactionDeadlineMs: 30_000 });
    await linkUnguessables(stack);
    leaves = leavesOf(stack.discord.registeredCommands(stack.guild.id));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const where = () => ({ guildId: stack.guild.id, channelId: stack.guild.channels.general ?? "" });

  it("acknowledges every command, answers clearly, logs no error and writes nothing to Roblox", async () => {
    // Each command and subcommand on its own, so none goes untried.
    for (const leaf of leaves) {
      await fc.assert(
        fc.asyncProperty(invocation(leaf), async (run) =>
          expectHandledSafely(stack, async () => ({ handle: await stack.discord.runCommand({ ...where(), ...run }) })),
        ),
        { numRuns: 16, endOnFailure: true },
      );
    }
  });

  it("suggests something or nothing for whatever is typed, logging no error and writing nothing", async () => {
    const arbitraries = leaves.map(autocompletion).filter((arbitrary) => arbitrary !== undefined);
    await fc.assert(
      fc.asyncProperty(fc.oneof(...arbitraries), async (typed) => {
        const logFrom = stack.logLines.length;
        const callsFrom = stack.roblox.calls.length;
        await stack.discord.autocomplete({ ...where(), ...typed });
        if (errorsLogged(stack, logFrom).length > 0) throw new Error(`logged: ${errorsLogged(stack, logFrom).join("\n")}`);
        if (stack.roblox.calls.slice(callsFrom).some(isWrite)) throw new Error("wrote to Roblox");
      }),
      { numRuns: 150, endOnFailure: true },
    );
  });
});
