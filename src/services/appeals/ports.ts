export interface AppealNotifier {
  appealSubmitted(appealId: number): void;
}
