/** Store identities (HardState.store): 128 random bits from the node's random source, as 26 base-32 characters. */
const alphabet = '0123456789abcdefghijklmnopqrstuv';

export function newStoreId(random: () => number): string {
  let id = '';
  for (let i = 0; i < 26; i++) id += alphabet[Math.floor(random() * 32) & 31];
  return id;
}
