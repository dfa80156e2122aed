// The one registry of slash commands and component handlers: the router and
// `npm run deploy-commands` both read it.
import type { CommandModule } from "../src/discord/commandModule.js";
import type { ComponentHandlers } from "../src/discord/componentHandler.js";
import { appealButton } from "../src/discord/appealButtons.js";
import { cancelMassRunButton, massRunButton } from "../src/discord/massRuns.js";
import { pickPlayerButton } from "../src/discord/playerChoice.js";
import { ban, confirmBanButton } from "./ban.js";
import { bans, bansPageButton } from "./bans.js";
import { caseCommand, casesPageButton } from "./case.js";
import { history } from "./history.js";
import { confirmBulkButton, joinRequestButton, joinRequests } from "./joinrequests.js";
import { lookup } from "./lookup.js";
import { massban } from "./massban.js";
import { massunban } from "./massunban.js";
import { rank } from "./rank.js";
import { setup, setupKeyModal } from "./setup.js";
import { staff } from "./staff.js";
import { suspend } from "./suspend.js";
import { unban } from "./unban.js";
import { unsuspend } from "./unsuspend.js";

export const commands: readonly CommandModule[] = [
  ban,
  unban,
  bans,
  massban,
  massunban,
  lookup,
  history,
  caseCommand,
  joinRequests,
  rank,
  suspend,
  unsuspend,
  setup,
  staff,
];

export const components: ComponentHandlers = {
  appeal: appealButton,
  bansPage: bansPageButton,
  cancelMassRun: cancelMassRunButton,
  casesPage: casesPageButton,
  confirmBan: confirmBanButton,
  confirmBulk: confirmBulkButton,
  joinRequest: joinRequestButton,
  massRun: massRunButton,
  pickPlayer: pickPlayerButton(commands),
  setupKey: setupKeyModal,
};
