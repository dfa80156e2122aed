import { performance } from "node:perf_hooks";
import { Events, RESTEvents, type Client } from "discord.js";

/** Interactions waiting for their first answer are forgotten past this many: one never answered must not stay forever. */
const MAX_WAITING = 1_000;
/** Every first answer (a reply, a defer, an update, a form, autocomplete choices) goes through this route. */
const CALLBACK = /^\/interactions\/(\d+)\/[^/]+\/callback$/;

/**
 * Times each interaction from its arrival to Discord accepting its first
 * answer: what Discord's 3-second limit is about. Register before the
 * router, so an arrival is noted before anything answers it.
 */
export function timeAcknowledgements(client: Client, observe: (seconds: number) => void): void {
  const arrived = new Map<string, number>();
  client.on(Events.InteractionCreate, (interaction) => {
    arrived.set(interaction.id, performance.now());
    const oldest = arrived.keys().next();
    if (arrived.size > MAX_WAITING && !oldest.done) arrived.delete(oldest.value);
  });
  client.rest.on(RESTEvents.Response, (request, response) => {
    const id = CALLBACK.exec(request.path)?.[1];
    const start = id === undefined ? undefined : arrived.get(id);
    if (id === undefined || start === undefined) return;
    arrived.delete(id);
    if (response.ok) observe((performance.now() - start) / 1_000);
  });
}
