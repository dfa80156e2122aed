import { ApplicationCommandOptionType, type CommandInteractionOption } from "discord.js";
import { describe, expect, it } from "vitest";
import { definition as caseDefinition } from "../../commands/case.js";
import { definition as joinRequestsDefinition } from "../../commands/joinrequests.js";
import { optionsOutOfBounds } from "../../src/discord/optionBounds.js";

const sub = (name: string, options: CommandInteractionOption[]): CommandInteractionOption[] => [
  { name, type: ApplicationCommandOptionType.Subcommand, options },
];
const integer = (name: string, value: number): CommandInteractionOption => ({ name, type: ApplicationCommandOptionType.Integer, value });
const text = (name: string, value: string): CommandInteractionOption => ({ name, type: ApplicationCommandOptionType.String, value });

describe("option bounds, as a forged interaction would break them", () => {
  it("takes a case number its column can hold", () => {
    expect(optionsOutOfBounds(caseDefinition, sub("show", [integer("number", 1)]))).toBeUndefined();
    expect(optionsOutOfBounds(caseDefinition, sub("show", [integer("number", 2_147_483_647)]))).toBeUndefined();
  });

  it.each([0, -5, 2_147_483_648, Number.MAX_SAFE_INTEGER, 1e300, 1.5, Number.NaN])("refuses case number %d", (number) => {
    expect(optionsOutOfBounds(caseDefinition, sub("show", [integer("number", number)]))).toBe(
      "`number` must be a whole number from 1 to 2,147,483,647.",
    );
    expect(optionsOutOfBounds(caseDefinition, sub("reason", [integer("number", number), text("reason", "x")]))).toBeDefined();
  });

  it("refuses a string past its declared length, counted in characters", () => {
    expect(optionsOutOfBounds(caseDefinition, sub("reason", [integer("number", 1), text("reason", "😀".repeat(1_000))]))).toBeUndefined();
    expect(optionsOutOfBounds(caseDefinition, sub("reason", [integer("number", 1), text("reason", "x".repeat(1_001))]))).toBe(
      "`reason` must be 0 to 1,000 characters long.",
    );
  });

  it("refuses an option the command does not declare, or one of the wrong type", () => {
    expect(optionsOutOfBounds(caseDefinition, sub("show", [text("number", "1")]))).toBe("`number` is not an option of this command.");
    expect(optionsOutOfBounds(caseDefinition, sub("show", [integer("page", 1)]))).toBe("`page` is not an option of this command.");
    expect(optionsOutOfBounds(caseDefinition, sub("drop", []))).toBe("`drop` is not an option of this command.");
  });

  it("holds other integer options to their bounds too", () => {
    expect(optionsOutOfBounds(joinRequestsDefinition, sub("rules", [integer("min_account_age", 3_650)]))).toBeUndefined();
    expect(optionsOutOfBounds(joinRequestsDefinition, sub("rules", [integer("min_account_age", 3_651)]))).toBe(
      "`min_account_age` must be a whole number from 0 to 3,650.",
    );
  });
});
