import type {
  ApplicationCommandOptionChoiceData,
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  InteractionEditReplyOptions,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import type { Permission } from "../db/schema.js";
import type { BotContext } from "./botContext.js";
import type { CommandRequest } from "./commandRequest.js";

/** What the router must know before a handler runs. */
export interface Access {
  permission: Permission;
  /**
   * A modal must be the first answer to an interaction, so these are not
   * deferred: the gate runs, then the handler shows the modal at once.
   */
  opensModal?: boolean;
}

/** One slash command: the JSON that is deployed, who may run it, and its handlers. */
export interface CommandModule {
  definition: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /** Who may run it; per subcommand when they differ. Undefined refuses an unknown subcommand. */
  access(subcommand: string | null): Access | undefined;
  execute(interaction: ChatInputCommandInteraction<"cached">, context: BotContext): Promise<void>;
  /**
   * For commands that take a player: the work from plain options, as the
   * reply to show. When typed digits named two accounts, the moderator's pick
   * carries the stored request on through this, with the chosen account's id.
   */
  answer?(request: CommandRequest, context: BotContext): Promise<InteractionEditReplyOptions>;
  autocomplete?(
    interaction: AutocompleteInteraction<"cached">,
    context: BotContext,
  ): Promise<ApplicationCommandOptionChoiceData[]>;
}
