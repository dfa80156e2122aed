import type { MessageComponentInteraction, ModalSubmitInteraction } from "discord.js";
import type { Permission } from "../db/schema.js";
import type { BotContext } from "./botContext.js";
import type { CustomId } from "./customIds.js";

export type ComponentInteraction = MessageComponentInteraction<"cached"> | ModalSubmitInteraction<"cached">;

/** A button or modal handler, found by the kind of its custom id. */
export interface ComponentHandler<Kind extends CustomId["kind"] = CustomId["kind"]> {
  kind: Kind;
  /**
   * The Warden permission the clicker needs: fixed, or that of the stored
   * request the id names in the clicker's guild (undefined when none is left
   * there; the handler then says it expired and does nothing).
   */
  permission:
    | Permission
    | ((id: Extract<CustomId, { kind: Kind }>, context: BotContext, guildId: string) => Promise<Permission | undefined>);
  handle(interaction: ComponentInteraction, id: Extract<CustomId, { kind: Kind }>, context: BotContext): Promise<void>;
}

export type ComponentHandlers = { [Kind in CustomId["kind"]]?: ComponentHandler<Kind> };
