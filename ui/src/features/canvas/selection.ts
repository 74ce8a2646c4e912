/** Which step card is selected as steps are added, moved and deleted; -1 when there are none. */

export function clampSelection(selected: number, length: number): number {
  if (length <= 0) return -1;
  return Math.min(Math.max(selected, 0), length - 1);
}

/** Arrow keys: one card up or down, stopping at the ends. */
export function moveSelection(selected: number, delta: number, length: number): number {
  if (length <= 0) return -1;
  return clampSelection(selected + delta, length);
}

/** The selection follows a moved step, and a step that swapped places with it. */
export function selectionAfterMove(selected: number, from: number, to: number): number {
  if (selected === from) return to;
  if (from < to && selected > from && selected <= to) return selected - 1;
  if (from > to && selected >= to && selected < from) return selected + 1;
  return selected;
}

/** After a delete the card that took its place (or the new last one) is selected. */
export function selectionAfterDelete(selected: number, deleted: number, lengthAfter: number): number {
  if (lengthAfter <= 0) return -1;
  if (selected > deleted) return selected - 1;
  return clampSelection(selected, lengthAfter);
}
