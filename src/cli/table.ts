// Aligned text tables for the kubectl plugin, in kubectl's style: upper-case headers, columns separated
// by three spaces, the last column not padded. Widths count East Asian wide characters (the console
// labels of spec section 7, such as 已托管) as two cells, so columns stay aligned in a terminal.

export type Cell = string | number | boolean | null | undefined;

export interface TableOptions {
  /** Text of an empty cell (kubectl prints `<none>`); default `<none>`. */
  empty?: string;
  /** Prefix of every line (nested tables in `status`). */
  indent?: string;
}

const GAP = '   ';

/** True for code points a terminal draws two cells wide (CJK, Hangul, full-width forms, emoji). */
function isWide(cp: number): boolean {
  return (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x20000 && cp <= 0x3fffd);
}

/** Terminal cells a string occupies (combining marks and control characters count zero). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x300 && cp <= 0x36f) || cp === 0x200b) continue;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

/** A cell as one line of text: newlines and tabs would break the alignment. */
export function cellText(value: Cell, empty = '<none>'): string {
  if (value === null || value === undefined || value === '') return empty;
  return String(value).replace(/[\r\n\t]+/g, ' ');
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** Renders a table; returns its lines joined by newlines, with a trailing newline. */
export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[], opts: TableOptions = {}): string {
  const indent = opts.indent ?? '';
  const cells = [headers.map((h) => h.toUpperCase()), ...rows.map((r) => headers.map((_, i) => cellText(r[i], opts.empty)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => displayWidth(r[i] ?? ''))));
  const lines = cells.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i] ?? 0))).join(GAP).trimEnd());
  return `${lines.join('\n')}\n`;
}

/** `Key:   value` lines with the values aligned, the way `kubectl describe` prints fields. */
export function renderFields(fields: readonly (readonly [string, Cell])[], indent = ''): string {
  const width = Math.max(0, ...fields.map(([k]) => displayWidth(k) + 1));
  return fields.map(([k, v]) => `${indent}${pad(`${k}:`, width)}  ${cellText(v)}`.trimEnd()).join('\n') + (fields.length > 0 ? '\n' : '');
}
