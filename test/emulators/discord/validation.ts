import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ButtonStyle,
  ComponentType,
  MessageFlags,
  TextInputStyle,
  type APIApplicationCommandOptionChoice,
  type APIEmbed,
  type APIModalInteractionResponseCallbackData,
  type RESTPostAPIApplicationCommandsJSONBody,
} from "discord.js";
import { emptyMessage, FormErrors } from "./errors.js";

type Path = (string | number)[];
type Json = Record<string, unknown>;

/** The message fields the local Discord stores; the rest of a body is accepted and ignored. */
export interface MessageInput {
  content?: string | null;
  embeds?: APIEmbed[] | null;
  components?: Json[] | null;
  flags?: number | null;
  allowed_mentions?: unknown;
  attachments?: Json[] | null;
}

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Limits count characters without surrounding whitespace (docs: resources/message.mdx, "Embed Limits"). */
function length(value: string): number {
  return [...value.trim()].length;
}

class Checker {
  readonly errors = new FormErrors();

  maxLength(path: Path, value: unknown, max: number, { required = false }: { required?: boolean } = {}): number {
    const min = required ? 1 : 0;
    if (value === undefined || value === null) {
      if (required) this.errors.add(path, "BASE_TYPE_REQUIRED", "This field is required");
      return 0;
    }
    if (typeof value !== "string") {
      this.errors.add(path, "BASE_TYPE_STRING", "Must be a string.");
      return 0;
    }
    const n = length(value);
    if (n > max) this.errors.add(path, "BASE_TYPE_MAX_LENGTH", `Must be ${max} or fewer in length.`);
    else if (n < min) this.errors.add(path, "BASE_TYPE_MIN_LENGTH", `Must be ${min} or more in length.`);
    return n;
  }

  array(path: Path, value: unknown, max: number, min = 0): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.errors.add(path, "BASE_TYPE_LIST", "Must be a list.");
      return [];
    }
    if (value.length > max) this.errors.add(path, "BASE_TYPE_MAX_LENGTH", `Must be ${max} or fewer in length.`);
    if (value.length < min) this.errors.add(path, "BASE_TYPE_MIN_LENGTH", `Must be ${min} or more in length.`);
    return value;
  }

  object(path: Path, value: unknown): Json | undefined {
    if (isObject(value)) return value;
    this.errors.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType");
    return undefined;
  }

  integer(path: Path, value: unknown, min: number, max: number): void {
    if (value === undefined || value === null) return;
    if (typeof value !== "number" || !Number.isInteger(value)) {
      this.errors.add(path, "NUMBER_TYPE_COERCE", `Value "${String(value)}" is not int.`);
    } else if (value < min || value > max) {
      this.errors.add(path, value < min ? "NUMBER_TYPE_MIN" : "NUMBER_TYPE_MAX", `int value should be ${value < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}.`);
    }
  }

  customId(path: Path, value: unknown, seen: Set<string>): void {
    this.maxLength([...path, "custom_id"], value, 100, { required: true });
    if (typeof value !== "string") return;
    if (seen.has(value)) this.errors.add([...path, "custom_id"], "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated");
    seen.add(value);
  }
}

/**
 * Message create/edit bodies (docs: resources/message.mdx "Create Message" and
 * "Embed Limits"; components/reference.mdx). `create` also rejects empty messages.
 */
export function validateMessage(body: unknown, options: { path?: Path; create: boolean; allowedFlags: number }): MessageInput {
  const path = options.path ?? [];
  const check = new Checker();
  const message = check.object(path, body ?? {});
  check.errors.throwIfAny();
  if (!message) return {};

  const flags = typeof message.flags === "number" ? message.flags : 0;
  check.integer([...path, "flags"], message.flags, 0, 2 ** 31);
  const componentsV2 = (flags & MessageFlags.IsComponentsV2) !== 0;

  const contentLength = check.maxLength([...path, "content"], message.content, 2000);
  const embeds = check.array([...path, "embeds"], message.embeds, 10);
  let embedTotal = 0;
  embeds.forEach((embed, i) => {
    embedTotal += checkEmbed(check, [...path, "embeds", i], embed);
  });
  if (embedTotal > 6000) {
    check.errors.add([...path, "embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000");
  }

  const components = check.array([...path, "components"], message.components, componentsV2 ? 40 : 5);
  const seenIds = new Set<string>();
  components.forEach((component, i) => {
    checkComponent(check, [...path, "components", i], component, seenIds, componentsV2);
  });
  if (componentsV2 && (contentLength > 0 || embeds.length > 0)) {
    check.errors.add([...path, "content"], "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2", "The 'content' and 'embeds' fields cannot be used when using the IS_COMPONENTS_V2 flag");
  }
  check.errors.throwIfAny();

  const attachments = Array.isArray(message.attachments) ? message.attachments : [];
  if (options.create && contentLength === 0 && embeds.length === 0 && components.length === 0 && attachments.length === 0) {
    throw emptyMessage();
  }
  const input: MessageInput = {};
  if ("content" in message) input.content = (message.content as string | null) ?? null;
  if ("embeds" in message) input.embeds = (message.embeds as APIEmbed[] | null) ?? null;
  if ("components" in message) input.components = (message.components as Json[] | null) ?? null;
  if ("flags" in message) input.flags = flags & options.allowedFlags;
  if ("allowed_mentions" in message) input.allowed_mentions = message.allowed_mentions;
  if ("attachments" in message) input.attachments = attachments.filter(isObject);
  return input;
}

function checkEmbed(check: Checker, path: Path, value: unknown): number {
  const embed = check.object(path, value);
  if (!embed) return 0;
  let total = check.maxLength([...path, "title"], embed.title, 256);
  total += check.maxLength([...path, "description"], embed.description, 4096);
  check.integer([...path, "color"], embed.color, 0, 0xffffff);
  check.array([...path, "fields"], embed.fields, 25).forEach((field, i) => {
    const f = check.object([...path, "fields", i], field);
    if (!f) return;
    total += check.maxLength([...path, "fields", i, "name"], f.name, 256, { required: true });
    total += check.maxLength([...path, "fields", i, "value"], f.value, 1024, { required: true });
  });
  if (embed.footer !== undefined && embed.footer !== null) {
    const footer = check.object([...path, "footer"], embed.footer);
    if (footer) total += check.maxLength([...path, "footer", "text"], footer.text, 2048, { required: true });
  }
  if (embed.author !== undefined && embed.author !== null) {
    const author = check.object([...path, "author"], embed.author);
    if (author) total += check.maxLength([...path, "author", "name"], author.name, 256, { required: true });
  }
  return total;
}

const SELECT_TYPES = new Set<number>([
  ComponentType.StringSelect,
  ComponentType.UserSelect,
  ComponentType.RoleSelect,
  ComponentType.MentionableSelect,
  ComponentType.ChannelSelect,
]);

function checkComponent(check: Checker, path: Path, value: unknown, seen: Set<string>, componentsV2: boolean): void {
  const component = check.object(path, value);
  if (!component) return;
  if (component.type === ComponentType.ActionRow) {
    const children = check.array([...path, "components"], component.components, 5, 1);
    const selects = children.filter((c) => isObject(c) && SELECT_TYPES.has(c.type as number));
    if (selects.length > 0 && children.length > 1) {
      check.errors.add([...path, "components"], "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width");
    }
    children.forEach((child, i) => checkInteractive(check, [...path, "components", i], child, seen));
    return;
  }
  if (!componentsV2) {
    check.errors.add([...path, "type"], "COMPONENT_TYPE_INVALID", "Component type is not valid for a message without the IS_COMPONENTS_V2 flag");
    return;
  }
  // Layout components of components v2 nest interactive ones in several places.
  for (const key of ["components", "accessory", "component"] as const) {
    const nested = component[key];
    if (Array.isArray(nested)) nested.forEach((c, i) => checkComponent(check, [...path, key, i], c, seen, true));
    else if (isObject(nested)) checkInteractive(check, [...path, key], nested, seen);
  }
}

function checkInteractive(check: Checker, path: Path, value: unknown, seen: Set<string>): void {
  const component = check.object(path, value);
  if (!component) return;
  if (component.type === ComponentType.Button) {
    check.maxLength([...path, "label"], component.label, 80);
    if (component.style === ButtonStyle.Link) {
      check.maxLength([...path, "url"], component.url, 512, { required: true });
      if (component.custom_id !== undefined) check.errors.add([...path, "custom_id"], "BUTTON_COMPONENT_CUSTOM_ID_FORBIDDEN", "A custom id cannot be used with this button style");
    } else if (component.style === ButtonStyle.Premium) {
      check.maxLength([...path, "sku_id"], component.sku_id, 20, { required: true });
    } else if (typeof component.style === "number" && component.style >= ButtonStyle.Primary && component.style <= ButtonStyle.Danger) {
      check.customId(path, component.custom_id, seen);
    } else {
      check.errors.add([...path, "style"], "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}.");
    }
    return;
  }
  if (SELECT_TYPES.has(component.type as number)) {
    check.customId(path, component.custom_id, seen);
    check.maxLength([...path, "placeholder"], component.placeholder, 150);
    check.integer([...path, "min_values"], component.min_values, 0, 25);
    check.integer([...path, "max_values"], component.max_values, 1, 25);
    if (component.type === ComponentType.StringSelect) {
      check.array([...path, "options"], component.options, 25, 1).forEach((option, i) => {
        const o = check.object([...path, "options", i], option);
        if (!o) return;
        check.maxLength([...path, "options", i, "label"], o.label, 100, { required: true });
        check.maxLength([...path, "options", i, "value"], o.value, 100, { required: true });
        check.maxLength([...path, "options", i, "description"], o.description, 100);
      });
    }
    return;
  }
  if (component.type === ComponentType.TextInput) {
    check.errors.add([...path, "type"], "COMPONENT_TYPE_INVALID", "Text inputs are only valid in modals");
  }
}

/** MODAL callback data (docs: interactions/receiving-and-responding.mdx "Modal"; components/reference.mdx "Text Input", "Label"). */
export function validateModal(body: unknown, path: Path): APIModalInteractionResponseCallbackData {
  const check = new Checker();
  const modal = check.object(path, body);
  if (modal) {
    check.maxLength([...path, "custom_id"], modal.custom_id, 100, { required: true });
    check.maxLength([...path, "title"], modal.title, 45, { required: true });
    const seen = new Set<string>();
    check.array([...path, "components"], modal.components, 5, 1).forEach((value, i) => {
      const at = [...path, "components", i];
      const component = check.object(at, value);
      if (!component) return;
      if (component.type === ComponentType.ActionRow) {
        const children = check.array([...at, "components"], component.components, 1, 1);
        children.forEach((child, j) => checkModalInput(check, [...at, "components", j], child, seen, true));
      } else if (component.type === ComponentType.Label) {
        check.maxLength([...at, "label"], component.label, 45, { required: true });
        check.maxLength([...at, "description"], component.description, 100);
        checkModalInput(check, [...at, "component"], component.component, seen, false);
      } else if (component.type === ComponentType.TextDisplay) {
        check.maxLength([...at, "content"], component.content, 4000, { required: true });
      } else {
        check.errors.add([...at, "type"], "COMPONENT_TYPE_INVALID", "Component type is not valid in a modal");
      }
    });
  }
  check.errors.throwIfAny();
  return body as APIModalInteractionResponseCallbackData;
}

function checkModalInput(check: Checker, path: Path, value: unknown, seen: Set<string>, inActionRow: boolean): void {
  const input = check.object(path, value);
  if (!input) return;
  if (input.type !== ComponentType.TextInput) {
    if (inActionRow || !SELECT_TYPES.has(input.type as number)) {
      check.errors.add([...path, "type"], "COMPONENT_TYPE_INVALID", "Component type is not valid in a modal");
    } else {
      check.customId(path, input.custom_id, seen);
    }
    return;
  }
  check.customId(path, input.custom_id, seen);
  if (input.style !== TextInputStyle.Short && input.style !== TextInputStyle.Paragraph) {
    check.errors.add([...path, "style"], "BASE_TYPE_CHOICES", "Value must be one of {1, 2}.");
  }
  // A text input in an action row carries its own label; inside a Label component the label is the parent's.
  check.maxLength([...path, "label"], input.label, 45, { required: inActionRow });
  check.integer([...path, "min_length"], input.min_length, 0, 4000);
  check.integer([...path, "max_length"], input.max_length, 1, 4000);
  check.maxLength([...path, "value"], input.value, 4000);
  check.maxLength([...path, "placeholder"], input.placeholder, 100);
  if (typeof input.min_length === "number" && typeof input.max_length === "number" && input.min_length > input.max_length) {
    check.errors.add([...path, "min_length"], "TEXT_INPUT_LENGTH_INVALID", "min_length must be less than or equal to max_length");
  }
}

/** APPLICATION_COMMAND_AUTOCOMPLETE_RESULT data (docs: interactions/receiving-and-responding.mdx "Autocomplete"). */
export function validateAutocomplete(body: unknown, path: Path): APIApplicationCommandOptionChoice[] {
  const check = new Checker();
  const data = check.object(path, body);
  const choices = data ? check.array([...path, "choices"], data.choices, 25) : [];
  choices.forEach((choice, i) => {
    const c = check.object([...path, "choices", i], choice);
    if (!c) return;
    check.maxLength([...path, "choices", i, "name"], c.name, 100, { required: true });
    if (typeof c.value === "string") check.maxLength([...path, "choices", i, "value"], c.value, 100);
    else if (typeof c.value !== "number") check.errors.add([...path, "choices", i, "value"], "BASE_TYPE_REQUIRED", "This field is required");
  });
  check.errors.throwIfAny();
  return choices as APIApplicationCommandOptionChoice[];
}

const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/**
 * Application command definitions (docs: interactions/application-commands.mdx:
 * naming, option structure, limits including the 8000-character size).
 */
export function validateCommands(body: unknown, { bulk }: { bulk: boolean }): RESTPostAPIApplicationCommandsJSONBody[] {
  const check = new Checker();
  const list = bulk ? check.array([], body, 200) : [body];
  const seen = new Set<string>();
  list.forEach((value, i) => {
    const path = bulk ? [i] : [];
    const command = check.object(path, value);
    if (!command) return;
    const type = command.type ?? ApplicationCommandType.ChatInput;
    const key = `${String(type)}:${String(command.name)}`;
    if (seen.has(key)) check.errors.add([...path, "name"], "APPLICATION_COMMANDS_DUPLICATE_NAME", `Application command names must be unique`);
    seen.add(key);
    if (type === ApplicationCommandType.ChatInput) {
      checkName(check, [...path, "name"], command.name);
      check.maxLength([...path, "description"], command.description, 100, { required: true });
      const size = checkOptions(check, [...path, "options"], command.options, 0);
      if (size + length(String(command.name ?? "")) + length(String(command.description ?? "")) > 8000) {
        check.errors.add(path, "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (8000)");
      }
    } else {
      check.maxLength([...path, "name"], command.name, 32, { required: true });
    }
  });
  check.errors.throwIfAny();
  return list as RESTPostAPIApplicationCommandsJSONBody[];
}

function checkName(check: Checker, path: Path, name: unknown): void {
  if (typeof name !== "string" || !CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase()) {
    check.errors.add(path, "APPLICATION_COMMAND_INVALID_NAME", `Command name is invalid`);
  }
}

/** Returns the characters the options add to the command's size. */
function checkOptions(check: Checker, path: Path, value: unknown, depth: number): number {
  let size = 0;
  let optionalSeen = false;
  const names = new Set<string>();
  check.array(path, value, 25).forEach((option, i) => {
    const at = [...path, i];
    const o = check.object(at, option);
    if (!o) return;
    checkName(check, [...at, "name"], o.name);
    if (typeof o.name === "string") {
      if (names.has(o.name)) check.errors.add([...at, "name"], "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique");
      names.add(o.name);
    }
    size += check.maxLength([...at, "name"], o.name, 32) + check.maxLength([...at, "description"], o.description, 100, { required: true });
    const nests = o.type === ApplicationCommandOptionType.Subcommand || o.type === ApplicationCommandOptionType.SubcommandGroup;
    if (nests) {
      if (depth >= (o.type === ApplicationCommandOptionType.SubcommandGroup ? 1 : 2)) {
        check.errors.add([...at, "type"], "APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Subcommands cannot be nested this deep");
      }
      size += checkOptions(check, [...at, "options"], o.options, depth + 1);
      return;
    }
    if (o.required === true && optionalSeen) {
      check.errors.add([...at, "required"], "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options");
    }
    if (o.required !== true) optionalSeen = true;
    const choices = check.array([...at, "choices"], o.choices, 25);
    if (choices.length > 0 && o.autocomplete === true) {
      check.errors.add([...at, "autocomplete"], "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID", "Autocomplete cannot be set with choices");
    }
    choices.forEach((choice, j) => {
      const c = check.object([...at, "choices", j], choice);
      if (!c) return;
      size += check.maxLength([...at, "choices", j, "name"], c.name, 100, { required: true });
      size += typeof c.value === "string" ? check.maxLength([...at, "choices", j, "value"], c.value, 100) : String(c.value).length;
    });
  });
  return size;
}
