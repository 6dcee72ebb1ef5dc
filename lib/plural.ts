// Counts in messages read as English: "1 table", "2 tables", never "1 tables" or "table(s)".

/** `plural(1, 'table')` is "1 table"; `many` is for irregular words ("entry", "entries"). */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}
