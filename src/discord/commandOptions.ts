import { ApplicationCommandOptionType } from "discord.js";

/** Options several commands share, declared once so they read and behave the same everywhere. */

export const playerOption = {
  type: ApplicationCommandOptionType.String,
  name: "user",
  description: "Roblox username or user id",
  required: true,
  autocomplete: true,
  // Roblox usernames are at most 20 characters and ids at most 20 digits; a little room for "@".
  max_length: 32,
} as const;

export const experienceOption = {
  type: ApplicationCommandOptionType.String,
  name: "experience",
  description: "Which linked experience",
  autocomplete: true,
} as const;

export const groupOption = {
  type: ApplicationCommandOptionType.String,
  name: "group",
  description: "Which linked group",
  autocomplete: true,
} as const;
