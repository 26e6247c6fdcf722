// Text taken from user input (names in a CSR or certificate) shown in condition messages: quoted,
// cut, and stripped of control characters so it cannot bloat or break a condition.

export function quoteUserText(text: string, max = 80): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return JSON.stringify(clean.length > max ? `${clean.slice(0, max - 3)}...` : clean);
}

/** "a", "b" and 3 more */
export function listUserText(items: readonly string[], maxItems = 5): string {
  const shown = items.slice(0, maxItems).map((i) => quoteUserText(i));
  const more = items.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}
