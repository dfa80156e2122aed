import type { CaseRow } from "../db/cases.js";

/**
 * What the services need from the world outside them, as plain interfaces;
 * the Discord layer provides them, tests may provide others.
 */

export type PublishOutcome = { posted: true; messageId: string } | { posted: false; problem: string };

/** The guild's public record of a case: posted once, then edited in place as the case changes. */
export interface CasePublisher {
  publishCase(row: CaseRow): Promise<PublishOutcome>;
}
