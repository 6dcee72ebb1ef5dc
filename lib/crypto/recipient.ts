// An age X25519 recipient is Bech32 (BIP 173) with the human-readable part "age" and a 32-byte
// key. Checked here, in the config, so a typo fails at load time and not at 2 a.m. in the backup.
// (age's own parser lives in the age binary; this is the same rule, with the checksum.)

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATOR[i]!;
  }
  return chk >>> 0;
}

const expandHrp = (hrp: string): number[] => [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31)];

/** Why `s` is not an age X25519 recipient (age1…), or undefined when it is one. */
export function recipientProblem(s: string): string | undefined {
  if (!s.startsWith('age1')) return 'does not start with "age1"';
  if (s !== s.toLowerCase()) return 'is not all lower case';
  if (s.length !== 62) return `is ${s.length} characters long, an age X25519 recipient is 62`;
  const data = [...s.slice(4)].map((c) => CHARSET.indexOf(c));
  if (data.includes(-1)) return 'holds a character that Bech32 does not use';
  if (polymod([...expandHrp('age'), ...data]) !== 1) return 'fails its Bech32 checksum (a typo?)';
  return undefined;
}
