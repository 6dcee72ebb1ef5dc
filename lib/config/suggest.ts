// "Did you mean" for unknown keys, names and flags: the closest candidate by edit distance.

export function suggest(input: string, candidates: readonly string[]): string | undefined {
  // An abbreviation ("prod" for "production") is the likeliest meaning of all.
  const prefixed = input.length >= 3 ? candidates.filter((c) => c.toLowerCase().startsWith(input.toLowerCase())) : [];
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(input.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  // Close enough to be a typo: at most a third of the word, and never a wild guess.
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(Math.max(input.length, best.length) / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
