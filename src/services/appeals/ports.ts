/** Told of each appeal the web page records, so staff see it at once; a per-shard sweep posts any it missed. */
export interface AppealNotifier {
  appealSubmitted(appealId: number): void;
}
