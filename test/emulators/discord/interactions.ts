import {
  ApplicationCommandType,
  ApplicationIntegrationType,
  ButtonStyle,
  ComponentType,
  InteractionContextType,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  type APIApplicationCommandAutocompleteGuildInteraction,
  type APIApplicationCommandOptionChoice,
  type APIChatInputApplicationCommandGuildInteraction,
  type APIMessage,
  type APIMessageComponentGuildInteraction,
  type APIModalInteractionResponseCallbackData,
  type APIModalSubmissionComponent,
  type APIModalSubmitGuildInteraction,
  type RESTPostAPIInteractionCallbackWithResponseResult,
} from "discord.js";
import { assertInvocable, buildCommandOptions, type CommandInvocation, type CommandStore } from "./commands.js";
import {
  alreadyAcknowledged,
  DiscordApiError,
  invalidWebhookToken,
  unknownInteraction,
  unknownMessage,
  unknownWebhook,
} from "./errors.js";
import type { Gateway } from "./gateway.js";
import {
  CHANNEL_MESSAGE_FLAGS,
  INTERACTION_MESSAGE_FLAGS,
  withComponentIds,
  type InteractionOrigin,
  type MessageStore,
  type StoredMessage,
} from "./messages.js";
import { requireObject, type RestServer, type UploadedFile } from "./rest.js";
import type { ChannelRecord, World } from "./state.js";
import { isObject, validateAutocomplete, validateMessage, validateModal } from "./validation.js";
import type { Waiters } from "./waiters.js";

export interface InteractionCallback {
  type: InteractionResponseType;
  data?: unknown;
}

export interface InteractionOptions {
  applicationId: string;
  /** Time to the first callback before the token dies; Discord's is 3 s. */
  deadlineMs: number;
  /** Lifetime of the token for follow-ups and edits; Discord's is 15 min. */
  tokenTtlMs: number;
  /** Default wait of the handle's `waitFor*` methods. */
  waitTimeoutMs: number;
}

export interface ButtonClick {
  userId: string;
  messageId: string;
  customId: string;
  guildId?: string;
  channelId?: string;
}

/**
 * A click Discord's own client never sends: any custom id, as a hostile member
 * sends it with a modified client or a replayed payload. Discord delivers it
 * like any click, with the message the button is said to be on.
 */
export interface ForgedClick {
  guildId: string;
  channelId: string;
  userId: string;
  customId: string;
  /**
   * A message in that channel the member sees, delivered as it is (the forged
   * id is not among its buttons). Left out, the click comes from an ephemeral
   * message of the bot's, seen by this member only, that carries a button
   * with the forged id.
   */
  messageId?: string;
}

/** A modal submission no modal of the bot's opened: any custom id, with text inputs by their custom_id. */
export interface ForgedModalSubmission {
  guildId: string;
  channelId: string;
  userId: string;
  customId: string;
  fields: Record<string, string>;
}

export interface ModalSubmission {
  userId: string;
  customId: string;
  /** Text input values by their custom_id. */
  fields: Record<string, string>;
  guildId?: string;
  channelId?: string;
}

export interface AutocompleteRequest extends CommandInvocation {
  /** Name of the option being typed into. */
  focused: string;
  /** What has been typed so far. */
  value: string;
}

interface InteractionRecord {
  id: string;
  token: string;
  type: InteractionType;
  guildId: string;
  channelId: string;
  userId: string;
  createdAt: number;
  commandName?: string;
  callback?: InteractionCallback;
  /** The first-callback deadline passed unanswered. */
  expired: boolean;
  deadline?: NodeJS.Timeout;
  originalId?: string;
  /** The message whose component started this interaction, or the modal's. */
  sourceMessageId?: string;
  /** The original response shows content: sent directly, or edited after a deferral. */
  replied: boolean;
  followUpIds: string[];
  modal?: APIModalInteractionResponseCallbackData;
  modalSubmitted: boolean;
  choices?: APIApplicationCommandOptionChoice[];
}

/** Callback types each interaction type accepts (docs: interactions/receiving-and-responding.mdx "Interaction Callback Type"). */
const ALLOWED_CALLBACKS: Record<number, InteractionResponseType[]> = {
  [InteractionType.ApplicationCommand]: [
    InteractionResponseType.ChannelMessageWithSource,
    InteractionResponseType.DeferredChannelMessageWithSource,
    InteractionResponseType.Modal,
  ],
  [InteractionType.MessageComponent]: [
    InteractionResponseType.ChannelMessageWithSource,
    InteractionResponseType.DeferredChannelMessageWithSource,
    InteractionResponseType.DeferredMessageUpdate,
    InteractionResponseType.UpdateMessage,
    InteractionResponseType.Modal,
  ],
  [InteractionType.ApplicationCommandAutocomplete]: [InteractionResponseType.ApplicationCommandAutocompleteResult],
  [InteractionType.ModalSubmit]: [
    InteractionResponseType.ChannelMessageWithSource,
    InteractionResponseType.DeferredChannelMessageWithSource,
  ],
};

/** Per-interaction view for tests: what the bot answered and what the member sees. */
export class InteractionHandle {
  constructor(
    private readonly record: InteractionRecord,
    private readonly store: MessageStore,
    private readonly waiters: Waiters,
    private readonly options: InteractionOptions,
  ) {}

  get id(): string {
    return this.record.id;
  }

  get token(): string {
    return this.record.token;
  }

  get type(): InteractionType {
    return this.record.type;
  }

  get callback(): InteractionCallback | undefined {
    return this.record.callback && structuredClone(this.record.callback);
  }

  /** The modal the bot showed, with component ids as Discord numbers them. */
  get modal(): APIModalInteractionResponseCallbackData | undefined {
    return this.record.modal && structuredClone(this.record.modal);
  }

  /** Whether the response message is ephemeral; undefined before there is one. */
  get ephemeral(): boolean | undefined {
    const original = this.original();
    return original ? ((original.message.flags ?? 0) & MessageFlags.Ephemeral) !== 0 : undefined;
  }

  /** The response message as it is now (loading while deferred). */
  get reply(): APIMessage | undefined {
    const original = this.original();
    return original && structuredClone(original.message);
  }

  get followUps(): APIMessage[] {
    return this.record.followUpIds
      .map((id) => this.store.get(id))
      .filter((s) => s !== undefined)
      .map((s) => structuredClone(s.message));
  }

  waitForCallback(timeoutMs = this.options.waitTimeoutMs): Promise<InteractionCallback> {
    return this.waiters.waitFor(
      () => {
        if (this.record.callback) return structuredClone(this.record.callback);
        this.throwIfExpired();
        return undefined;
      },
      timeoutMs,
      `the callback to interaction ${this.record.id}`,
    );
  }

  /**
   * The reply the member sees: a direct reply, an updated message, or a deferred
   * reply once edited. With a predicate, waits for an edit that satisfies it.
   */
  waitForReply(predicate: (message: APIMessage) => boolean = () => true, timeoutMs = this.options.waitTimeoutMs): Promise<APIMessage> {
    return this.waiters.waitFor(
      () => {
        const callback = this.record.callback;
        if (!callback) {
          this.throwIfExpired();
          return undefined;
        }
        if (callback.type === InteractionResponseType.Modal) {
          throw new Error(`interaction ${this.record.id} was answered with a modal, not a message`);
        }
        if (callback.type === InteractionResponseType.ApplicationCommandAutocompleteResult) {
          throw new Error(`interaction ${this.record.id} was answered with autocomplete choices`);
        }
        const original = this.original();
        if (!this.record.replied || !original) return undefined;
        return predicate(original.message) ? structuredClone(original.message) : undefined;
      },
      timeoutMs,
      `the reply to interaction ${this.record.id}`,
    );
  }

  waitForFollowUp(predicate: (message: APIMessage) => boolean = () => true, timeoutMs = this.options.waitTimeoutMs): Promise<APIMessage> {
    return this.waiters.waitFor(
      () => this.followUps.find(predicate),
      timeoutMs,
      `a follow-up to interaction ${this.record.id}`,
    );
  }

  private original(): StoredMessage | undefined {
    return this.record.originalId === undefined ? undefined : this.store.get(this.record.originalId);
  }

  private throwIfExpired(): void {
    if (this.record.expired) {
      throw new Error(
        `the bot did not answer interaction ${this.record.id} within ${this.options.deadlineMs} ms; Discord shows "The application did not respond"`,
      );
    }
  }
}

/** Interactions a test starts as a member, and the callback and webhook routes the bot answers them on. */
export class Interactions {
  private readonly records = new Map<string, InteractionRecord>();
  private readonly byToken = new Map<string, InteractionRecord>();

  constructor(
    private readonly world: World,
    private readonly gateway: Gateway,
    private readonly commands: CommandStore,
    private readonly store: MessageStore,
    private readonly waiters: Waiters,
    private readonly options: InteractionOptions,
  ) {}

  async runCommand(invocation: CommandInvocation): Promise<InteractionHandle> {
    const command = this.commands.find(invocation.guildId, invocation.name);
    if (!command) throw new Error(`/${invocation.name} is not registered globally or in guild ${invocation.guildId}`);
    this.channelIn(invocation.guildId, invocation.channelId);
    assertInvocable(this.world, this.commands, command, invocation);
    const { options, resolved } = buildCommandOptions(this.world, command, invocation);
    const record = this.newRecord(InteractionType.ApplicationCommand, invocation, command.name);
    const payload: APIChatInputApplicationCommandGuildInteraction = {
      ...this.envelope(record),
      type: InteractionType.ApplicationCommand,
      data: {
        id: command.id,
        name: command.name,
        type: ApplicationCommandType.ChatInput,
        options,
        ...(resolved ? { resolved } : {}),
        ...(command.guild_id ? { guild_id: command.guild_id } : {}),
      },
    };
    return this.start(record, payload);
  }

  async autocomplete(request: AutocompleteRequest): Promise<APIApplicationCommandOptionChoice[]> {
    const command = this.commands.find(request.guildId, request.name);
    if (!command) throw new Error(`/${request.name} is not registered globally or in guild ${request.guildId}`);
    this.channelIn(request.guildId, request.channelId);
    assertInvocable(this.world, this.commands, command, request);
    const { options, resolved } = buildCommandOptions(this.world, command, request, { name: request.focused, value: request.value });
    const record = this.newRecord(InteractionType.ApplicationCommandAutocomplete, request, command.name);
    const payload: APIApplicationCommandAutocompleteGuildInteraction = {
      ...this.envelope(record),
      type: InteractionType.ApplicationCommandAutocomplete,
      data: {
        id: command.id,
        name: command.name,
        type: ApplicationCommandType.ChatInput,
        options: options as APIApplicationCommandAutocompleteGuildInteraction["data"]["options"],
        ...(resolved ? { resolved } : {}),
        ...(command.guild_id ? { guild_id: command.guild_id } : {}),
      },
    };
    const handle = this.start(record, payload);
    await handle.waitForCallback();
    return structuredClone(record.choices ?? []);
  }

  async clickButton(click: ButtonClick): Promise<InteractionHandle> {
    const stored = this.store.get(click.messageId);
    if (!stored) throw new Error(`no message ${click.messageId} to click on`);
    if (stored.visibleTo !== null && stored.visibleTo !== click.userId) {
      throw new Error(`message ${click.messageId} is ephemeral and only user ${stored.visibleTo} sees it`);
    }
    const channelId = stored.message.channel_id;
    if (click.channelId !== undefined && click.channelId !== channelId) throw new Error(`message ${click.messageId} is not in channel ${click.channelId}`);
    if (click.guildId !== undefined && click.guildId !== stored.guildId) throw new Error(`message ${click.messageId} is not in guild ${click.guildId}`);
    const button = findComponent(stored.message.components ?? [], click.customId);
    if (!button || button.type !== ComponentType.Button) throw new Error(`message ${click.messageId} has no button ${click.customId}`);
    if (button.disabled === true) throw new Error(`button ${click.customId} is disabled`);
    if (button.style === ButtonStyle.Link || button.style === ButtonStyle.Premium) throw new Error(`button ${click.customId} sends no interaction`);

    return this.deliverClick({ guildId: stored.guildId, channelId, userId: click.userId }, stored, click.customId);
  }

  async forgeClick(click: ForgedClick): Promise<InteractionHandle> {
    const channel = this.channelIn(click.guildId, click.channelId);
    this.world.member(click.guildId, click.userId);
    let source: StoredMessage | undefined;
    if (click.messageId !== undefined) {
      source = this.store.get(click.messageId);
      if (!source || source.message.channel_id !== channel.id) throw new Error(`no message ${click.messageId} in channel ${channel.id}`);
      if (source.visibleTo !== null && source.visibleTo !== click.userId) throw new Error(`user ${click.userId} does not see message ${click.messageId}`);
    } else {
      source = this.store.create(
        channel,
        {
          flags: MessageFlags.Ephemeral,
          components: [
            { type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Secondary, label: "Forged", custom_id: click.customId }] },
          ],
        },
        { interaction: { id: this.world.ids.next(), type: InteractionType.MessageComponent, userId: click.userId, guildId: click.guildId } },
      );
    }
    return this.deliverClick(click, source, click.customId);
  }

  async forgeModalSubmit(submission: ForgedModalSubmission): Promise<InteractionHandle> {
    this.channelIn(submission.guildId, submission.channelId);
    const record = this.newRecord(InteractionType.ModalSubmit, submission);
    let nextId = 1;
    const components: APIModalSubmissionComponent[] = Object.entries(submission.fields).map(([customId, value]) => ({
      type: ComponentType.Label,
      id: nextId++,
      component: { type: ComponentType.TextInput, id: nextId++, custom_id: customId, value },
    }));
    const payload: APIModalSubmitGuildInteraction = {
      ...this.envelope(record),
      type: InteractionType.ModalSubmit,
      data: { custom_id: submission.customId, components },
    };
    return this.start(record, payload);
  }

  async submitModal(submission: ModalSubmission): Promise<InteractionHandle> {
    const opener = [...this.records.values()]
      .reverse()
      .find(
        (r) =>
          r.modal?.custom_id === submission.customId &&
          r.userId === submission.userId &&
          !r.modalSubmitted &&
          (submission.channelId === undefined || r.channelId === submission.channelId),
      );
    if (!opener?.modal) throw new Error(`no modal ${submission.customId} is open for user ${submission.userId}`);
    const components = fillModal(opener.modal, submission.fields);
    opener.modalSubmitted = true;

    const record = this.newRecord(InteractionType.ModalSubmit, opener);
    record.sourceMessageId = opener.sourceMessageId;
    const source = opener.sourceMessageId === undefined ? undefined : this.store.get(opener.sourceMessageId);
    const payload: APIModalSubmitGuildInteraction = {
      ...this.envelope(record),
      type: InteractionType.ModalSubmit,
      data: { custom_id: submission.customId, components },
      ...(source ? { message: structuredClone(source.message) } : {}),
    };
    return this.start(record, payload);
  }

  registerRoutes(rest: RestServer): void {
    rest.route("POST", "/interactions/:interactionId/:token/callback", ({ params, query, body, files }) => {
      const record = this.records.get(params.interactionId as string);
      if (!record || record.token !== params.token) throw unknownInteraction();
      if (record.callback) throw alreadyAcknowledged();
      if (record.expired || this.tokenExpired(record)) throw unknownInteraction();
      this.answer(record, requireObject(body), files);
      if (!booleanQuery(query.get("with_response"))) return { status: 204 };
      return { status: 200, body: this.callbackResponse(record) };
    }, { auth: false });

    const webhook = "/webhooks/:applicationId/:token";
    rest.route("POST", webhook, ({ params, body, files }) => {
      const record = this.webhookRecord(params);
      const input = validateMessage(body, { create: true, allowedFlags: INTERACTION_MESSAGE_FLAGS });
      const original = record.originalId === undefined ? undefined : this.store.get(record.originalId);
      // Right after a deferral a follow-up edits the loading message instead (docs: "Create Followup Message").
      if (record.callback?.type === InteractionResponseType.DeferredChannelMessageWithSource && original && !record.replied) {
        this.store.edit(original, { ...input, flags: undefined }, "interaction", files);
        record.replied = true;
        this.waiters.notify();
        return { status: 200, body: structuredClone(original.message) };
      }
      const created = this.store.create(this.channelIn(record.guildId, record.channelId), input, { files, interaction: this.origin(record) });
      record.followUpIds.push(created.message.id);
      this.waiters.notify();
      return { status: 200, body: structuredClone(created.message) };
    }, { auth: false });

    rest.route("GET", `${webhook}/messages/:messageId`, ({ params }) => {
      const record = this.webhookRecord(params);
      return { status: 200, body: structuredClone(this.webhookMessage(record, params.messageId as string).message) };
    }, { auth: false });

    rest.route("PATCH", `${webhook}/messages/:messageId`, ({ params, body, files }) => {
      const record = this.webhookRecord(params);
      const stored = this.webhookMessage(record, params.messageId as string);
      const input = validateMessage(body, { create: false, allowedFlags: CHANNEL_MESSAGE_FLAGS });
      this.store.edit(stored, input, "interaction", files);
      if (stored.message.id === record.originalId) record.replied = true;
      this.waiters.notify();
      return { status: 200, body: structuredClone(stored.message) };
    }, { auth: false });

    rest.route("DELETE", `${webhook}/messages/:messageId`, ({ params }) => {
      const record = this.webhookRecord(params);
      this.store.delete(this.webhookMessage(record, params.messageId as string));
      return { status: 204 };
    }, { auth: false });
  }

  close(): void {
    for (const record of this.records.values()) clearTimeout(record.deadline);
  }

  /** A message component interaction (docs: "Interaction Structure"): the click and the message it came from. */
  private deliverClick(where: { guildId: string; channelId: string; userId: string }, source: StoredMessage, customId: string): InteractionHandle {
    const record = this.newRecord(InteractionType.MessageComponent, where);
    record.sourceMessageId = source.message.id;
    const payload: APIMessageComponentGuildInteraction = {
      ...this.envelope(record),
      type: InteractionType.MessageComponent,
      data: { custom_id: customId, component_type: ComponentType.Button },
      message: structuredClone(source.message),
    };
    return this.start(record, payload);
  }

  private answer(record: InteractionRecord, response: Record<string, unknown>, files: UploadedFile[]): void {
    const type = response.type as InteractionResponseType;
    const allowed = [...(ALLOWED_CALLBACKS[record.type] ?? [])];
    // A modal opened from a component may update that component's message.
    if (record.type === InteractionType.ModalSubmit && record.sourceMessageId !== undefined) {
      allowed.push(InteractionResponseType.DeferredMessageUpdate, InteractionResponseType.UpdateMessage);
    }
    if (!allowed.includes(type)) {
      throw new DiscordApiError(400, 50035, "Invalid Form Body", {
        type: { _errors: [{ code: "BASE_TYPE_CHOICES", message: `Value must be one of {${allowed.join(", ")}}.` }] },
      });
    }
    const channel = this.channelIn(record.guildId, record.channelId);
    const origin = this.origin(record);
    switch (type) {
      case InteractionResponseType.ChannelMessageWithSource: {
        const input = validateMessage(response.data, { path: ["data"], create: true, allowedFlags: INTERACTION_MESSAGE_FLAGS });
        record.originalId = this.store.create(channel, input, { files, interaction: origin }).message.id;
        record.replied = true;
        break;
      }
      case InteractionResponseType.DeferredChannelMessageWithSource: {
        // Only EPHEMERAL counts on a deferral (docs: "Interaction Callback Data Structure").
        const flags = isObject(response.data) && typeof response.data.flags === "number" ? response.data.flags & MessageFlags.Ephemeral : 0;
        record.originalId = this.store.create(channel, { flags }, { interaction: origin, loading: true }).message.id;
        break;
      }
      case InteractionResponseType.DeferredMessageUpdate:
        record.originalId = record.sourceMessageId;
        break;
      case InteractionResponseType.UpdateMessage: {
        const source = record.sourceMessageId === undefined ? undefined : this.store.get(record.sourceMessageId);
        if (!source) throw unknownMessage();
        const input = validateMessage(response.data, { path: ["data"], create: false, allowedFlags: CHANNEL_MESSAGE_FLAGS });
        this.store.edit(source, input, "interaction", files);
        record.originalId = source.message.id;
        record.replied = true;
        break;
      }
      case InteractionResponseType.ApplicationCommandAutocompleteResult:
        record.choices = validateAutocomplete(response.data, ["data"]);
        break;
      case InteractionResponseType.Modal: {
        const modal = validateModal(response.data, ["data"]);
        record.modal = { ...modal, components: withComponentIds(modal.components) as APIModalInteractionResponseCallbackData["components"] };
        break;
      }
    }
    record.callback = { type, ...(response.data !== undefined ? { data: structuredClone(response.data) } : {}) };
    clearTimeout(record.deadline);
    this.waiters.notify();
  }

  /** The with_response body (docs: "Interaction Callback Response Object"); a message only for types 4 and 7. */
  private callbackResponse(record: InteractionRecord): RESTPostAPIInteractionCallbackWithResponseResult {
    const type = record.callback?.type as InteractionResponseType;
    const original = record.originalId === undefined ? undefined : this.store.get(record.originalId);
    const flags = original?.message.flags ?? 0;
    const carriesMessage = type === InteractionResponseType.ChannelMessageWithSource || type === InteractionResponseType.UpdateMessage;
    return {
      interaction: {
        id: record.id,
        type: record.type,
        ...(original
          ? {
              response_message_id: original.message.id,
              response_message_loading: (flags & MessageFlags.Loading) !== 0,
              response_message_ephemeral: (flags & MessageFlags.Ephemeral) !== 0,
            }
          : {}),
      },
      resource: {
        type,
        ...(carriesMessage && original ? { message: structuredClone(original.message) } : {}),
      },
    };
  }

  private webhookRecord(params: Record<string, string>): InteractionRecord {
    if (params.applicationId !== this.options.applicationId) throw unknownWebhook();
    const record = this.byToken.get(params.token as string);
    if (!record || this.tokenExpired(record)) throw invalidWebhookToken();
    if (!record.callback) throw unknownWebhook();
    return record;
  }

  private webhookMessage(record: InteractionRecord, messageId: string): StoredMessage {
    const id = messageId === "@original" ? record.originalId : messageId;
    if (id === undefined || (id !== record.originalId && !record.followUpIds.includes(id))) throw unknownMessage();
    const stored = this.store.get(id);
    if (!stored) throw unknownMessage();
    return stored;
  }

  private tokenExpired(record: InteractionRecord): boolean {
    return Date.now() > record.createdAt + this.options.tokenTtlMs;
  }

  private origin(record: InteractionRecord): InteractionOrigin {
    return {
      id: record.id,
      type: record.type,
      userId: record.userId,
      guildId: record.guildId,
      ...(record.commandName ? { commandName: record.commandName } : {}),
    };
  }

  private channelIn(guildId: string, channelId: string): ChannelRecord {
    const channel = this.world.channel(channelId);
    if (!channel || channel.guildId !== guildId) throw new Error(`no channel ${channelId} in guild ${guildId}`);
    return channel;
  }

  private newRecord(type: InteractionType, where: { guildId: string; channelId: string; userId: string }, commandName?: string): InteractionRecord {
    // Only members of the guild can interact in it; this throws for anyone else.
    this.world.member(where.guildId, where.userId);
    const record: InteractionRecord = {
      id: this.world.ids.next(),
      token: `aW50ZXJhY3Rpb246${Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString("base64url")}`,
      type,
      guildId: where.guildId,
      channelId: where.channelId,
      userId: where.userId,
      createdAt: Date.now(),
      ...(commandName ? { commandName } : {}),
      expired: false,
      replied: false,
      followUpIds: [],
      modalSubmitted: false,
    };
    return record;
  }

  /** The fields every guild interaction carries (docs: "Interaction Structure"). */
  private envelope(record: InteractionRecord) {
    const guild = this.world.guild(record.guildId);
    const channel = this.channelIn(record.guildId, record.channelId);
    const member = this.world.member(record.guildId, record.userId);
    return {
      id: record.id,
      application_id: this.options.applicationId,
      token: record.token,
      version: 1 as const,
      guild: { id: guild.id, locale: guild.locale, features: [] },
      guild_id: guild.id,
      guild_locale: guild.locale,
      channel: this.world.channelPayload(channel),
      channel_id: channel.id,
      member: {
        ...this.world.memberPayload(guild, member),
        permissions: this.world.permissionsIn(channel.id, record.userId).toString(),
      },
      app_permissions: this.world.permissionsIn(channel.id, this.world.bot.id).toString(),
      locale: this.world.user(record.userId).locale,
      entitlements: [],
      authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: guild.id },
      context: InteractionContextType.Guild,
      attachment_size_limit: 10 * 1024 * 1024,
    };
  }

  private start(record: InteractionRecord, payload: unknown): InteractionHandle {
    this.gateway.deliverInteraction(record.guildId, payload);
    this.records.set(record.id, record);
    this.byToken.set(record.token, record);
    record.deadline = setTimeout(() => {
      if (record.callback) return;
      record.expired = true;
      this.waiters.notify();
    }, this.options.deadlineMs);
    record.deadline.unref();
    return new InteractionHandle(record, this.store, this.waiters, this.options);
  }
}

/** Discord reads `True`, `true` and `1` as true in query strings (docs: reference.mdx "Boolean Query Strings"). */
function booleanQuery(value: string | null): boolean {
  return value === "true" || value === "True" || value === "1";
}

function findComponent(components: unknown[], customId: string): Record<string, unknown> | undefined {
  for (const component of components) {
    if (!isObject(component)) continue;
    if (component.custom_id === customId) return component;
    for (const key of ["components", "accessory", "component"]) {
      const child = component[key];
      const found = findComponent(Array.isArray(child) ? child : [child], customId);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The member's answers in the modal's own layout (docs: components/reference.mdx
 * "Text Input Interaction Response Structure", "Label Interaction Response Structure").
 * Answers the Discord client would refuse throw instead.
 */
function fillModal(modal: APIModalInteractionResponseCallbackData, fields: Record<string, string>): APIModalSubmissionComponent[] {
  const known = new Set<string>();
  const answer = (input: Record<string, unknown>) => {
    const customId = String(input.custom_id);
    known.add(customId);
    const value = fields[customId] ?? (typeof input.value === "string" ? input.value : "");
    const required = input.required !== false;
    if (required && value.length === 0) throw new Error(`modal ${modal.custom_id}: ${customId} is required`);
    if (value.length > 0 && typeof input.min_length === "number" && value.length < input.min_length) {
      throw new Error(`modal ${modal.custom_id}: ${customId} needs at least ${input.min_length} characters`);
    }
    if (typeof input.max_length === "number" && value.length > input.max_length) {
      throw new Error(`modal ${modal.custom_id}: ${customId} allows at most ${input.max_length} characters`);
    }
    return { type: ComponentType.TextInput as const, id: input.id as number, custom_id: customId, value };
  };
  const textInput = (component: unknown): Record<string, unknown> => {
    if (!isObject(component) || component.type !== ComponentType.TextInput) {
      throw new Error(`modal ${modal.custom_id}: only text inputs are emulated`);
    }
    return component;
  };
  const submitted = (modal.components as unknown[]).map((value): APIModalSubmissionComponent => {
    const component = value as Record<string, unknown>;
    const id = component.id as number;
    if (component.type === ComponentType.ActionRow) {
      const [input] = component.components as unknown[];
      return { type: ComponentType.ActionRow, id, components: [answer(textInput(input))] };
    }
    if (component.type === ComponentType.Label) {
      return { type: ComponentType.Label, id, component: answer(textInput(component.component)) };
    }
    return { type: ComponentType.TextDisplay, id };
  });
  for (const name of Object.keys(fields)) {
    if (!known.has(name)) throw new Error(`modal ${modal.custom_id} has no text input ${name}`);
  }
  return submitted;
}
