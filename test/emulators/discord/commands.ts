import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  type APIApplicationCommand,
  type APIApplicationCommandPermission,
  type APIGuildApplicationCommandPermissions,
  type APIApplicationCommandInteractionDataOption,
  type APIApplicationCommandOption,
  type APIInteractionDataResolved,
  type InteractionType,
  type RESTPostAPIApplicationCommandsJSONBody,
} from "discord.js";
import { CommandPermissionStore, commandPermissionDenial, validatePermissionEntries } from "./commandPermissions.js";
import {
  botsCannotUseEndpoint,
  missingAccess,
  unauthorized,
  unknownApplication,
  unknownCommand,
  unknownCommandPermissions,
} from "./errors.js";
import { hasPermission } from "./permissions.js";
import type { RestServer } from "./rest.js";
import { rolePayload, type RoleRecord, type World } from "./state.js";
import { validateCommands } from "./validation.js";

export type OptionValue = string | number | boolean;

export interface CommandInvocation {
  guildId: string;
  channelId: string;
  userId: string;
  name: string;
  subcommandGroup?: string;
  subcommand?: string;
  /** Option values by name; users, roles, channels and mentionables by id. */
  options?: Record<string, OptionValue>;
}

type Options = APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommand>[];

/** The application's registered commands, global and per guild. */
export class CommandStore {
  private readonly global = new Map<string, APIApplicationCommand>();
  private readonly perGuild = new Map<string, Map<string, APIApplicationCommand>>();
  /** Overrides admins set per guild; they go when the command they target is deleted or renamed. */
  readonly permissions: CommandPermissionStore;

  constructor(
    private readonly world: World,
    readonly applicationId: string,
  ) {
    this.permissions = new CommandPermissionStore(applicationId);
  }

  list(guildId: string | null): APIApplicationCommand[] {
    return [...this.scope(guildId).values()].map((c) => structuredClone(c));
  }

  /** What Discord would offer a member typing `/name` in that guild: guild commands first. */
  find(guildId: string, name: string): APIApplicationCommand | undefined {
    const byName = (c: APIApplicationCommand) => c.name === name && c.type === ApplicationCommandType.ChatInput;
    return [...this.scope(guildId).values()].find(byName) ?? [...this.global.values()].find(byName);
  }

  /** A guild command of that guild or a global command, by id. */
  visibleIn(guildId: string, commandId: string): APIApplicationCommand | undefined {
    return this.scope(guildId).get(commandId) ?? this.global.get(commandId);
  }

  /**
   * What an admin picks in Server Settings > Integrations: the app itself (its
   * application id) or one command offered in the guild, by id or by name.
   */
  permissionTarget(guildId: string, nameOrId: string): string {
    this.world.guild(guildId);
    if (nameOrId === this.applicationId) return nameOrId;
    if (this.visibleIn(guildId, nameOrId)) return nameOrId;
    const named = [...this.scope(guildId).values(), ...this.global.values()].filter((c) => c.name === nameOrId);
    if (named.length === 1) return (named[0] as APIApplicationCommand).id;
    if (named.length > 1) throw new Error(`${named.length} commands named ${nameOrId} are offered in guild ${guildId}; pass the command id`);
    throw new Error(`no command ${nameOrId} is registered globally or in guild ${guildId}`);
  }

  /** Sets a guild's overrides for one command or, with the application id, for the whole app. */
  setPermissions(guildId: string, nameOrId: string, permissions: readonly APIApplicationCommandPermission[]): APIGuildApplicationCommandPermissions {
    const target = this.permissionTarget(guildId, nameOrId);
    return this.permissions.set(guildId, target, validatePermissionEntries(this.world, guildId, permissions));
  }

  private scope(guildId: string | null): Map<string, APIApplicationCommand> {
    if (guildId === null) return this.global;
    let commands = this.perGuild.get(guildId);
    if (!commands) {
      commands = new Map();
      this.perGuild.set(guildId, commands);
    }
    return commands;
  }

  /** A bulk overwrite keeps the id of a command whose name and type survive, as Discord does. */
  overwrite(guildId: string | null, bodies: RESTPostAPIApplicationCommandsJSONBody[]): APIApplicationCommand[] {
    const scope = this.scope(guildId);
    const previous = [...scope.values()];
    scope.clear();
    for (const body of bodies) {
      const kept = previous.find((c) => c.name === body.name && c.type === (body.type ?? ApplicationCommandType.ChatInput));
      const command = this.materialize(guildId, body, kept?.id);
      scope.set(command.id, command);
    }
    for (const command of previous) if (!scope.has(command.id)) this.permissions.forget(guildId, command.id);
    return this.list(guildId);
  }

  upsert(guildId: string | null, body: RESTPostAPIApplicationCommandsJSONBody): { command: APIApplicationCommand; created: boolean } {
    const scope = this.scope(guildId);
    const existing = [...scope.values()].find((c) => c.name === body.name && c.type === (body.type ?? ApplicationCommandType.ChatInput));
    const command = this.materialize(guildId, body, existing?.id);
    scope.set(command.id, command);
    return { command: structuredClone(command), created: !existing };
  }

  get(guildId: string | null, commandId: string): APIApplicationCommand {
    const command = this.scope(guildId).get(commandId);
    if (!command) throw unknownCommand();
    return command;
  }

  edit(guildId: string | null, commandId: string, patch: Record<string, unknown>): APIApplicationCommand {
    const current = this.get(guildId, commandId);
    const merged = { ...current, ...patch } as RESTPostAPIApplicationCommandsJSONBody;
    validateCommands(merged, { bulk: false });
    const command = this.materialize(guildId, merged, commandId);
    this.scope(guildId).set(commandId, command);
    if (command.name !== current.name) this.permissions.forget(guildId, commandId);
    return structuredClone(command);
  }

  delete(guildId: string | null, commandId: string): void {
    if (!this.scope(guildId).delete(commandId)) throw unknownCommand();
    this.permissions.forget(guildId, commandId);
  }

  private materialize(guildId: string | null, body: RESTPostAPIApplicationCommandsJSONBody, id?: string): APIApplicationCommand {
    const type = body.type ?? ApplicationCommandType.ChatInput;
    return {
      id: id ?? this.world.ids.next(),
      application_id: this.applicationId,
      version: this.world.ids.next(),
      type,
      name: body.name,
      name_localizations: body.name_localizations ?? null,
      description: type === ApplicationCommandType.ChatInput && "description" in body ? (body.description ?? "") : "",
      description_localizations: "description_localizations" in body ? (body.description_localizations ?? null) : null,
      ...("options" in body && body.options ? { options: body.options as APIApplicationCommandOption[] } : {}),
      default_member_permissions: body.default_member_permissions ?? null,
      nsfw: body.nsfw ?? false,
      integration_types: body.integration_types ?? [ApplicationIntegrationType.GuildInstall],
      contexts: body.contexts ?? null,
      ...(guildId ? { guild_id: guildId } : {}),
    };
  }
}

/** Application command routes (docs: interactions/application-commands.mdx "Endpoints"). */
export function registerCommandRoutes(rest: RestServer, world: World, store: CommandStore, applicationId: string): void {
  const scopeOf = (params: Record<string, string>): string | null => {
    if (params.applicationId !== applicationId) throw unknownApplication();
    if (params.guildId === undefined) return null;
    if (!world.guilds.get(params.guildId)) throw missingAccess();
    return params.guildId;
  };
  for (const base of ["/applications/:applicationId/commands", "/applications/:applicationId/guilds/:guildId/commands"]) {
    rest.route("GET", base, ({ params }) => ({ status: 200, body: store.list(scopeOf(params)) }));
    rest.route("PUT", base, ({ params, body }) => {
      const scope = scopeOf(params);
      return { status: 200, body: store.overwrite(scope, validateCommands(body, { bulk: true })) };
    });
    rest.route("POST", base, ({ params, body }) => {
      const scope = scopeOf(params);
      const [command] = validateCommands(body, { bulk: false });
      const result = store.upsert(scope, command as RESTPostAPIApplicationCommandsJSONBody);
      return { status: result.created ? 201 : 200, body: result.command };
    });
    rest.route("GET", `${base}/:commandId`, ({ params }) => ({
      status: 200,
      body: structuredClone(store.get(scopeOf(params), params.commandId as string)),
    }));
    rest.route("PATCH", `${base}/:commandId`, ({ params, body }) => ({
      status: 200,
      body: store.edit(scopeOf(params), params.commandId as string, (body ?? {}) as Record<string, unknown>),
    }));
    rest.route("DELETE", `${base}/:commandId`, ({ params }) => {
      store.delete(scopeOf(params), params.commandId as string);
      return { status: 204 };
    });
  }

  // Command permissions (docs: "Get Guild Application Command Permissions", "Get Application Command Permissions",
  // "Edit Application Command Permissions"). Only guild-scoped routes exist.
  const guildBase = "/applications/:applicationId/guilds/:guildId/commands";
  rest.route("GET", `${guildBase}/permissions`, ({ params }) => ({
    status: 200,
    body: store.permissions.list(scopeOf(params) as string),
  }));
  rest.route("GET", `${guildBase}/:commandId/permissions`, ({ params }) => {
    const guildId = scopeOf(params) as string;
    const target = params.commandId as string;
    if (target !== applicationId && !store.visibleIn(guildId, target)) throw unknownCommand();
    // A command no admin has configured has no permissions object.
    const found = store.permissions.get(guildId, target);
    if (!found) throw unknownCommandPermissions();
    return { status: 200, body: found };
  });
  // "Command permissions can only be updated using a Bearer token. Authenticating with a bot token will
  // result in an error" (docs: "Permissions"); the bot's token gets 403 with code 20001 "Bots cannot use
  // this endpoint" (topics/opcodes-and-status-codes.mdx). The local Discord issues no OAuth2 tokens, so
  // any other authorization is unauthorized; admins set overrides with DiscordEmulator.setCommandPermissions.
  rest.route(
    "PUT",
    `${guildBase}/:commandId/permissions`,
    ({ bot }) => {
      if (bot) throw botsCannotUseEndpoint();
      throw unauthorized();
    },
    { auth: false },
  );
}

/**
 * Checks what the Discord client checks before it lets a member send a command:
 * that it is offered in guilds, and that the guild's command permission overrides
 * and the command's default_member_permissions let the member use it here
 * (docs: interactions/application-commands.mdx "Permissions", "Contexts"; the
 * precedence is documented on commandPermissionDenial).
 */
export function assertInvocable(world: World, store: CommandStore, command: APIApplicationCommand, invocation: CommandInvocation): void {
  const permissions = world.permissionsIn(invocation.channelId, invocation.userId);
  if (!hasPermission(permissions, PermissionFlagsBits.ViewChannel)) {
    throw new Error(`user ${invocation.userId} cannot see channel ${invocation.channelId}`);
  }
  if (!hasPermission(permissions, PermissionFlagsBits.UseApplicationCommands)) {
    throw new Error(`user ${invocation.userId} lacks Use Application Commands in channel ${invocation.channelId}`);
  }
  if (command.contexts && !command.contexts.includes(InteractionContextType.Guild)) {
    throw new Error(`/${command.name} is not offered in guilds (contexts ${JSON.stringify(command.contexts)})`);
  }
  const denial = commandPermissionDenial({
    guildId: invocation.guildId,
    channelId: invocation.channelId,
    userId: invocation.userId,
    roleIds: world.member(invocation.guildId, invocation.userId).roleIds,
    guildPermissions: world.guildPermissions(invocation.guildId, invocation.userId),
    channelPermissions: permissions,
    command,
    commandLevel: store.permissions.entries(invocation.guildId, command.id),
    appLevel: store.permissions.entries(invocation.guildId, store.applicationId),
  });
  if (denial) throw new Error(denial);
}

/**
 * Turns test input into interaction options typed by the registered definition,
 * with `resolved` entries for users, members, roles, channels and attachments (docs:
 * interactions/receiving-and-responding.mdx "Resolved Data Structure"). Input the
 * Discord client would refuse (missing required options, values outside choices
 * or bounds) throws instead of being sent.
 */
export function buildCommandOptions(
  world: World,
  command: APIApplicationCommand,
  invocation: CommandInvocation,
  focused?: { name: string; value: string },
): { options: Options; resolved?: APIInteractionDataResolved } {
  const resolved: Required<Pick<APIInteractionDataResolved, "users" | "members" | "roles" | "channels" | "attachments">> = {
    users: {},
    members: {},
    roles: {},
    channels: {},
    attachments: {},
  };
  let definitions = command.options ?? [];
  const wrap: { type: ApplicationCommandOptionType.Subcommand | ApplicationCommandOptionType.SubcommandGroup; name: string }[] = [];
  for (const [kind, name] of [
    [ApplicationCommandOptionType.SubcommandGroup, invocation.subcommandGroup],
    [ApplicationCommandOptionType.Subcommand, invocation.subcommand],
  ] as const) {
    const nested = definitions.filter((d) => d.type === kind);
    if (name === undefined) {
      if (nested.length > 0 && (kind === ApplicationCommandOptionType.Subcommand || definitions.every((d) => d.type === kind))) {
        throw new Error(`/${command.name} needs a ${kind === ApplicationCommandOptionType.Subcommand ? "subcommand" : "subcommand group"}`);
      }
      continue;
    }
    const definition = nested.find((d) => d.name === name);
    if (!definition) throw new Error(`/${command.name} has no ${kind === ApplicationCommandOptionType.Subcommand ? "subcommand" : "subcommand group"} ${name}`);
    wrap.push({ type: kind, name });
    // A subcommand (or group) may be registered without `options`; it then takes none.
    definitions = ("options" in definition ? (definition.options ?? []) : []) as APIApplicationCommandOption[];
  }

  const given = { ...(invocation.options ?? {}) };
  if (focused) given[focused.name] = focused.value;
  for (const name of Object.keys(given)) {
    if (!definitions.some((d) => d.name === name)) throw new Error(`/${command.name} has no option ${name}`);
  }
  const values: Options = [];
  for (const definition of definitions) {
    const value = given[definition.name];
    const isFocused = focused?.name === definition.name;
    if (value === undefined) {
      // Autocomplete fires while the member is still filling the form in.
      if ("required" in definition && definition.required && !focused) throw new Error(`/${command.name}: option ${definition.name} is required`);
      continue;
    }
    if (isFocused) {
      if (!("autocomplete" in definition) || !definition.autocomplete) throw new Error(`/${command.name}: option ${definition.name} has no autocomplete`);
      values.push({ name: definition.name, type: definition.type, value: String(value), focused: true } as Options[number]);
      continue;
    }
    values.push(optionValue(world, invocation, definition, value, resolved, focused !== undefined));
  }

  let options: Options = values;
  for (const level of [...wrap].reverse()) options = [{ name: level.name, type: level.type, options } as Options[number]];
  const used = Object.fromEntries(Object.entries(resolved).filter(([, map]) => Object.keys(map).length > 0));
  return Object.keys(used).length > 0 ? { options, resolved: used } : { options };
}

function optionValue(
  world: World,
  invocation: CommandInvocation,
  definition: APIApplicationCommandOption,
  value: OptionValue,
  resolved: Required<Pick<APIInteractionDataResolved, "users" | "members" | "roles" | "channels" | "attachments">>,
  partial: boolean,
): Options[number] {
  const fail = (why: string): never => {
    throw new Error(`option ${definition.name}: ${why}`);
  };
  const guild = world.guild(invocation.guildId);
  const base = { name: definition.name };
  switch (definition.type) {
    case ApplicationCommandOptionType.String: {
      if (typeof value !== "string") fail("expects a string");
      const text = value as string;
      if (!partial) {
        if (definition.choices && !definition.choices.some((c) => c.value === text)) fail(`"${text}" is not one of its choices`);
        if (definition.min_length !== undefined && text.length < definition.min_length) fail(`shorter than ${definition.min_length}`);
        if (definition.max_length !== undefined && text.length > definition.max_length) fail(`longer than ${definition.max_length}`);
      }
      return { ...base, type: definition.type, value: text };
    }
    case ApplicationCommandOptionType.Integer:
    case ApplicationCommandOptionType.Number: {
      const n = typeof value === "number" ? value : Number(value);
      if (typeof value === "boolean" || !Number.isFinite(n)) fail("expects a number");
      if (definition.type === ApplicationCommandOptionType.Integer && !Number.isInteger(n)) fail("expects an integer");
      if (!partial) {
        if (definition.choices && !definition.choices.some((c) => c.value === n)) fail(`${n} is not one of its choices`);
        if (definition.min_value !== undefined && n < definition.min_value) fail(`below ${definition.min_value}`);
        if (definition.max_value !== undefined && n > definition.max_value) fail(`above ${definition.max_value}`);
      }
      return { ...base, type: definition.type, value: n };
    }
    case ApplicationCommandOptionType.Boolean:
      if (typeof value !== "boolean") fail("expects a boolean");
      return { ...base, type: definition.type, value: value as boolean };
    case ApplicationCommandOptionType.User:
    case ApplicationCommandOptionType.Mentionable: {
      const id = String(value);
      if (definition.type === ApplicationCommandOptionType.Mentionable && guild.roles.has(id)) {
        resolved.roles[id] = rolePayload(guild.roles.get(id) as RoleRecord);
        return { ...base, type: definition.type, value: id };
      }
      const user = world.users.get(id) ?? fail(`no user ${id}`);
      resolved.users[id] = world.userPayload(user);
      const member = guild.members.get(id);
      if (member) {
        const { user: _user, deaf: _deaf, mute: _mute, ...partialMember } = world.memberPayload(guild, member);
        resolved.members[id] = { ...partialMember, permissions: world.permissionsIn(invocation.channelId, id).toString() };
      }
      return { ...base, type: definition.type, value: id };
    }
    case ApplicationCommandOptionType.Role: {
      const id = String(value);
      const role = guild.roles.get(id) ?? fail(`no role ${id} in the guild`);
      resolved.roles[id] = rolePayload(role);
      return { ...base, type: definition.type, value: id };
    }
    case ApplicationCommandOptionType.Channel: {
      const id = String(value);
      const record = world.channel(id);
      if (!record || record.guildId !== invocation.guildId) return fail(`no channel ${id} in the guild`);
      if (definition.channel_types && !definition.channel_types.includes(record.type)) fail(`channel type ${record.type} not allowed`);
      const payload = world.channelPayload(record);
      resolved.channels[id] = {
        id,
        name: record.name,
        type: record.type,
        permissions: world.permissionsIn(id, invocation.userId).toString(),
        ...("topic" in payload ? { topic: payload.topic ?? null } : {}),
        ...(record.parentId ? { parent_id: record.parentId } : {}),
      } as NonNullable<APIInteractionDataResolved["channels"]>[string];
      return { ...base, type: definition.type, value: id };
    }
    case ApplicationCommandOptionType.Attachment: {
      // The value is the id of a file the member uploaded (DiscordEmulator.uploadAttachment).
      const id = String(value);
      resolved.attachments[id] = world.attachment(id) ?? fail(`no uploaded file ${id}`);
      return { ...base, type: definition.type, value: id };
    }
    default:
      return fail(`option type ${definition.type} is not emulated`);
  }
}
