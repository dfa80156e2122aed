import {
  ApplicationCommandOptionType,
  type APIApplicationCommandOption,
  type CommandInteractionOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";

/**
 * Why a command's options break the bounds its own definition declares
 * (min/max value, min/max length, choices), or undefined when they hold.
 * Discord enforces these before an interaction is sent, but an interaction
 * can be forged or replayed past Discord's checks, and a handler that trusts
 * them meets values its columns cannot hold.
 */
export function optionsOutOfBounds(
  definition: RESTPostAPIChatInputApplicationCommandsJSONBody,
  given: readonly CommandInteractionOption[],
): string | undefined {
  return check(definition.options ?? [], given);
}

/** Discord's ceiling for a string option without its own `max_length`. */
const MAX_STRING_OPTION = 6_000;

function check(declared: readonly APIApplicationCommandOption[], given: readonly CommandInteractionOption[]): string | undefined {
  for (const option of given) {
    const spec = declared.find((candidate) => candidate.name === option.name && candidate.type === option.type);
    if (spec === undefined) return `\`${option.name}\` is not an option of this command.`;
    const problem = "options" in spec && spec.options !== undefined ? check(spec.options, option.options ?? []) : outOfBounds(spec, option.value);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function outOfBounds(spec: APIApplicationCommandOption, value: CommandInteractionOption["value"]): string | undefined {
  switch (spec.type) {
    case ApplicationCommandOptionType.Integer:
    case ApplicationCommandOptionType.Number: {
      const integer = spec.type === ApplicationCommandOptionType.Integer;
      const inRange =
        typeof value === "number" &&
        (integer ? Number.isSafeInteger(value) : Number.isFinite(value)) &&
        (spec.min_value === undefined || value >= spec.min_value) &&
        (spec.max_value === undefined || value <= spec.max_value);
      if (inRange && (spec.choices === undefined || spec.choices.some((choice) => choice.value === value))) return undefined;
      return `\`${spec.name}\` must be ${integer ? "a whole number" : "a number"}${range(spec.min_value, spec.max_value)}.`;
    }
    case ApplicationCommandOptionType.String: {
      const length = typeof value === "string" ? [...value].length : -1;
      const fits = length >= (spec.min_length ?? 0) && length <= (spec.max_length ?? MAX_STRING_OPTION);
      if (fits && (spec.choices === undefined || spec.choices.some((choice) => choice.value === value))) return undefined;
      return spec.choices === undefined
        ? `\`${spec.name}\` must be ${count(spec.min_length ?? 0)} to ${count(spec.max_length ?? MAX_STRING_OPTION)} characters long.`
        : `\`${spec.name}\` must be one of the listed choices.`;
    }
    default:
      return undefined;
  }
}

function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${count(min)} to ${count(max)}`;
  if (min !== undefined) return ` of at least ${count(min)}`;
  if (max !== undefined) return ` of at most ${count(max)}`;
  return "";
}

const count = (value: number) => value.toLocaleString("en-US");
