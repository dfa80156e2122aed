import { unknownGuild, unknownMember, unknownUser } from "./errors.js";
import type { RestServer } from "./rest.js";
import { rolePayload, type GuildRecord, type World } from "./state.js";

/** Guild, member, role, channel and user reads discord.js makes (docs: resources/guild.mdx, resources/user.mdx). */
export function registerGuildRoutes(rest: RestServer, world: World): void {
  const guildOf = (guildId: string | undefined): GuildRecord => {
    const guild = guildId === undefined ? undefined : world.guilds.get(guildId);
    if (!guild) throw unknownGuild();
    return guild;
  };

  rest.route("GET", "/guilds/:guildId", ({ params, query }) => {
    const guild = guildOf(params.guildId);
    const body = world.guildPayload(guild);
    if (query.get("with_counts") === "true") {
      body.approximate_member_count = guild.members.size;
      body.approximate_presence_count = 0;
    }
    return { status: 200, body };
  });

  rest.route("GET", "/guilds/:guildId/channels", ({ params }) => ({
    status: 200,
    body: [...guildOf(params.guildId).channels.values()].map((c) => world.channelPayload(c)),
  }));

  rest.route("GET", "/guilds/:guildId/roles", ({ params }) => ({
    status: 200,
    body: [...guildOf(params.guildId).roles.values()].map(rolePayload),
  }));

  rest.route("GET", "/guilds/:guildId/members/:userId", ({ params }) => {
    const guild = guildOf(params.guildId);
    const member = guild.members.get(params.userId as string);
    if (!member) throw unknownMember();
    return { status: 200, body: world.memberPayload(guild, member) };
  });

  rest.route("GET", "/guilds/:guildId/members", ({ params, query }) => {
    const guild = guildOf(params.guildId);
    const limit = Math.min(1000, Math.max(1, Number(query.get("limit") ?? 1)));
    const after = BigInt(query.get("after") ?? "0");
    const members = [...guild.members.values()]
      .filter((m) => BigInt(m.userId) > after)
      .sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1))
      .slice(0, limit);
    return { status: 200, body: members.map((m) => world.memberPayload(guild, m)) };
  });

  rest.route("GET", "/users/:userId", ({ params }) => {
    const user = world.users.get(params.userId as string);
    if (!user) throw unknownUser();
    return { status: 200, body: world.userPayload(user) };
  });
}
