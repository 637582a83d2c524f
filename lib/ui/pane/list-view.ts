import { formatRow } from './format.js';
import type { Move } from './keys.js';
import type { PaneRow } from './rows.js';

// The visible window of the decisions list. While nothing is selected the
// window follows the newest row; while the user selects, it stays put and
// the selection (kept by id, so new rows and dropped old rows do not move
// it) stays in view. Pure.

export interface ListView {
  /** null: not selecting, follow the newest row. */
  selectedId: string | null;
  /** Index of the first visible row while selecting. */
  top: number;
}

export const FOLLOWING: ListView = { selectedId: null, top: 0 };

export function selectedIndex(rows: readonly PaneRow[], view: ListView): number {
  if (view.selectedId === null) return -1;
  const i = rows.findIndex((r) => r.id === view.selectedId);
  return i >= 0 ? i : rows.length - 1;
}

function keepInView(top: number, index: number, count: number, height: number): number {
  const t = Math.min(top, index, Math.max(0, count - height));
  return Math.max(0, index >= t + height ? index - height + 1 : t);
}

/** Selecting starts at the newest row. */
export function startSelecting(rows: readonly PaneRow[], height: number): ListView {
  const last = rows[rows.length - 1];
  if (!last) return FOLLOWING;
  return { selectedId: last.id, top: Math.max(0, rows.length - height) };
}

export function moveSelection(rows: readonly PaneRow[], view: ListView, to: Move, height: number): ListView {
  if (rows.length === 0) return view;
  const from = Math.max(0, selectedIndex(rows, view));
  const page = Math.max(1, height - 1);
  const target = {
    up: from - 1,
    down: from + 1,
    'page-up': from - page,
    'page-down': from + page,
    first: 0,
    last: rows.length - 1,
  }[to];
  const index = Math.max(0, Math.min(rows.length - 1, target));
  return { selectedId: rows[index]!.id, top: keepInView(view.top, index, rows.length, height) };
}

/** The pane's lines for a `width`×`height` box (inside its border). */
export function paneLines(rows: readonly PaneRow[], view: ListView, width: number, height: number): string[] {
  if (height <= 0) return [];
  if (rows.length === 0) return ['no commands yet'];
  const selected = selectedIndex(rows, view);
  const top = selected < 0 ? Math.max(0, rows.length - height) : keepInView(view.top, selected, rows.length, height);
  return rows.slice(top, top + height).map((r, i) => formatRow(r, width, top + i === selected));
}
