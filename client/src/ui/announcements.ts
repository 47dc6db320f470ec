/** Who arrived and who left between two looks at the room, for the polite live region. */

export interface Seen {
  id: string;
  name: string;
  joinedAt: number;
}

/**
 * Names that joined and left from `before` to `after`. A join counts only for someone who
 * arrived after we did (`since`): the people already there when we join, or who reappear in a
 * re-join's list, are not news.
 */
export function rosterChanges(before: readonly Seen[], after: readonly Seen[], since: number): { joined: string[]; left: string[] } {
  const was = new Set(before.map((p) => p.id));
  const is = new Set(after.map((p) => p.id));
  return {
    joined: after.filter((p) => !was.has(p.id) && p.joinedAt > since).map((p) => p.name),
    left: before.filter((p) => !is.has(p.id)).map((p) => p.name),
  };
}
