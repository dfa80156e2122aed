import { z } from "zod";
import { StartupError } from "./startupError.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Where a person gets a bot token; named in the message when it is missing. */
const TOKEN_HELP =
  "set it in .env or the environment; get it at https://discord.com/developers/applications -> your app -> Bot -> Reset Token";

const httpUrl = (what: string) =>
  z.url({ protocol: /^https?$/, error: `must be an http(s) URL (${what})` });

const envSchema = z.object({
  DISCORD_TOKEN: z
    .string({ error: `required to run the bot: ${TOKEN_HELP}` })
    .trim()
    // A token is three dot-separated base64url parts; anything else is a paste mistake.
    .regex(/^[\w-]+\.[\w-]+\.[\w-]+$/, { error: `does not look like a bot token: ${TOKEN_HELP}` })
    .optional(),
  DATABASE_URL: z
    .url({
      protocol: /^postgres(ql)?$/,
      error: "must be a postgres:// or postgresql:// connection string, or unset for the embedded database",
    })
    .optional(),
  DATA_DIR: z.string().trim().min(1, { error: "must be a directory path" }).default("./data"),
  ENCRYPTION_KEY: z
    .string()
    .trim()
    .refine((value) => decodesTo32Bytes(value), {
      error: "must be 32 random bytes in base64 (generate one with: openssl rand -base64 32)",
    })
    .optional(),
  DEV_GUILD_ID: z
    .string()
    .trim()
    .regex(/^\d{17,20}$/, { error: "must be a Discord guild id (17-20 digits)" })
    .optional(),
  DISCORD_API_URL: httpUrl("Discord REST base without /v10").default("https://discord.com/api"),
  DISCORD_CDN_URL: httpUrl("Discord attachment CDN").default("https://cdn.discordapp.com"),
  OPENCLOUD_URL: httpUrl("Open Cloud base").default("https://apis.roblox.com"),
  ROBLOX_USERS_URL: httpUrl("Roblox users API base").default("https://users.roblox.com"),
  ROBLOX_THUMBNAILS_URL: httpUrl("Roblox thumbnails API base").default("https://thumbnails.roblox.com"),
  HTTP_PORT: z.coerce
    .number({ error: "must be a port number (1-65535)" })
    .int({ error: "must be a port number (1-65535)" })
    .min(1, { error: "must be a port number (1-65535)" })
    .max(65535, { error: "must be a port number (1-65535)" })
    .optional(),
  PUBLIC_URL: httpUrl("the address players reach the appeal pages at").optional(),
  ROBLOX_OAUTH_CLIENT_ID: z.string().trim().regex(/^\d{1,20}$/, { error: "must be the OAuth app's client id (digits)" }).optional(),
  ROBLOX_OAUTH_CLIENT_SECRET: z.string().trim().min(1).optional(),
  ROBLOX_OAUTH_URL: httpUrl("Roblox OAuth 2.0 base").default("https://apis.roblox.com/oauth"),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  SHARD_COUNT: z
    .string()
    .trim()
    .regex(/^[1-9][0-9]{0,4}$/, { error: "must be the deployment's total number of Discord shards, a whole number from 1" })
    .transform(Number)
    .default(1),
  SHARD_IDS: z
    .string()
    .trim()
    .regex(/^[0-9]{1,5}(-[0-9]{1,5})?(,[0-9]{1,5}(-[0-9]{1,5})?)*$/, {
      error: "must list the shards this process runs, e.g. 0, 0,2 or 0-3",
    })
    .optional(),
});

function decodesTo32Bytes(value: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, "base64").length === 32;
}

export interface Config {
  discordToken: string | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
  encryptionKey: Buffer | undefined;
  devGuildId: string | undefined;
  discordApiUrl: string;
  /** Attachments (a /massban list) are downloaded only from links under this base. */
  discordCdnUrl: string;
  openCloudUrl: string;
  robloxUsersUrl: string;
  robloxThumbnailsUrl: string;
  httpPort: number | undefined;
  /** Ban appeals on the web, or the variables still missing to turn them on. */
  appeals: AppealsConfig | { missing: AppealsVariable[] };
  logLevel: (typeof LOG_LEVELS)[number];
  /** The shards this process runs, of a deployment of `count`; `ids` is sorted and never empty. */
  shards: { count: number; ids: number[] };
}

export const APPEALS_VARIABLES = ["HTTP_PORT", "PUBLIC_URL", "ROBLOX_OAUTH_CLIENT_ID", "ROBLOX_OAUTH_CLIENT_SECRET"] as const;
export type AppealsVariable = (typeof APPEALS_VARIABLES)[number];

export interface AppealsConfig {
  /** Where players reach the pages, without a trailing slash: the OAuth redirect is built on it. */
  publicUrl: string;
  oauthClientId: string;
  oauthClientSecret: string;
  oauthUrl: string;
}

/** Thrown with every bad variable named at once, so one restart fixes them all. */
export class ConfigError extends StartupError {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
  }
}

export interface LoadConfigOptions {
  /** The bot needs a token; migrations and scripts do not. */
  requireDiscordToken: boolean;
}

/**
 * Parses the environment once. Messages name the variable and what it
 * expects, never the value: a mistyped token must not end up in a log.
 */
export function loadConfig(env: NodeJS.ProcessEnv, options: LoadConfigOptions): Config {
  const present = withoutBlankValues(env);
  const result = envSchema.safeParse(present);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  if (options.requireDiscordToken && present.DISCORD_TOKEN === undefined) {
    problems.unshift(`DISCORD_TOKEN: required to run the bot: ${TOKEN_HELP}`);
  }
  if (!result.success || problems.length > 0) throw new ConfigError(problems);

  const parsed = result.data;
  const shards = parseShards(parsed.SHARD_COUNT, parsed.SHARD_IDS);
  problems.push(...shards.problems);
  if (parsed.SHARD_COUNT > 1 && parsed.DATABASE_URL === undefined) {
    problems.push(
      "DATABASE_URL: required when SHARD_COUNT is above 1: every process of a sharded deployment shares one PostgreSQL (the embedded database belongs to one process)",
    );
  }
  if (parsed.SHARD_COUNT > 1 && parsed.ENCRYPTION_KEY === undefined) {
    problems.push(
      "ENCRYPTION_KEY: required when SHARD_COUNT is above 1: each host would otherwise generate its own key and could not read the API keys the others stored",
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    discordToken: parsed.DISCORD_TOKEN,
    databaseUrl: parsed.DATABASE_URL,
    dataDir: parsed.DATA_DIR,
    encryptionKey: parsed.ENCRYPTION_KEY === undefined ? undefined : Buffer.from(parsed.ENCRYPTION_KEY, "base64"),
    devGuildId: parsed.DEV_GUILD_ID,
    discordApiUrl: parsed.DISCORD_API_URL,
    discordCdnUrl: parsed.DISCORD_CDN_URL.replace(/\/+$/, ""),
    openCloudUrl: parsed.OPENCLOUD_URL,
    robloxUsersUrl: parsed.ROBLOX_USERS_URL,
    robloxThumbnailsUrl: parsed.ROBLOX_THUMBNAILS_URL,
    httpPort: parsed.HTTP_PORT,
    appeals: appealsConfig(parsed),
    logLevel: parsed.LOG_LEVEL,
    shards: { count: parsed.SHARD_COUNT, ids: shards.ids },
  };
}

/** Appeals need a web server players reach and a Roblox OAuth app; any one missing turns them off. */
function appealsConfig(parsed: z.infer<typeof envSchema>): Config["appeals"] {
  const { HTTP_PORT, PUBLIC_URL, ROBLOX_OAUTH_CLIENT_ID, ROBLOX_OAUTH_CLIENT_SECRET } = parsed;
  if (HTTP_PORT === undefined || PUBLIC_URL === undefined || ROBLOX_OAUTH_CLIENT_ID === undefined || ROBLOX_OAUTH_CLIENT_SECRET === undefined) {
    return { missing: APPEALS_VARIABLES.filter((name) => parsed[name] === undefined) };
  }
  return {
    publicUrl: PUBLIC_URL.replace(/\/+$/, ""),
    oauthClientId: ROBLOX_OAUTH_CLIENT_ID,
    oauthClientSecret: ROBLOX_OAUTH_CLIENT_SECRET,
    oauthUrl: parsed.ROBLOX_OAUTH_URL.replace(/\/+$/, ""),
  };
}

/** SHARD_IDS as a sorted list (`0,2`, `0-3`); unset means every shard of SHARD_COUNT. */
function parseShards(count: number, listed: string | undefined): { ids: number[]; problems: string[] } {
  if (listed === undefined) return { ids: Array.from({ length: count }, (_, id) => id), problems: [] };
  const ids = new Set<number>();
  for (const part of listed.split(",")) {
    const [first, last = first] = part.split("-").map(Number) as [number, number?];
    if (last < first) return { ids: [], problems: [`SHARD_IDS: the range ${part} runs backwards; write it low-high`] };
    if (last >= count) {
      const numbering = count === 1 ? "the only shard is 0" : `shards are numbered 0 to ${count - 1}`;
      return { ids: [], problems: [`SHARD_IDS: shard ${last} does not exist with SHARD_COUNT=${count} (${numbering})`] };
    }
    for (let id = first; id <= last; id++) ids.add(id);
  }
  return { ids: [...ids].sort((a, b) => a - b), problems: [] };
}

/** `FOO=` in a .env file means "not set", as the defaults table in DESIGN.md reads. */
function withoutBlankValues(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ""),
  );
}
