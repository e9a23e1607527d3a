/**
 * A small HyperLogLog (Flajolet et al. 2007) for distinct insured persons per institution per day:
 * 64 one-byte registers (standard error ≈ 1.04/√64 = 13%) where an exact set of pseudonymised
 * tokens per institution-day would not fit at national scale. Registers merge by max, so a
 * window's estimate is the union of its days'.
 */
const P = 6;
export const HLL_REGISTERS = 1 << P;
const ALPHA = 0.709; // α₆₄

/** FNV-1a 32-bit over the token, then a murmur3 finaliser to spread the bits. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Adds a value to the registers at `offset` of a shared byte array (one sketch per ring slot). */
export function hllAdd(registers: Uint8Array, offset: number, value: string): void {
  const h = hash32(value);
  const index = h >>> (32 - P);
  const rest = (h << P) >>> 0;
  const rank = rest === 0 ? 32 - P + 1 : Math.clz32(rest) + 1;
  const at = offset + index;
  if (rank > registers[at]!) registers[at] = rank;
}

/** Estimate of the union of the sketches at the given offsets. */
export function hllEstimate(registers: Uint8Array, offsets: readonly number[]): number {
  if (offsets.length === 0) return 0;
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < HLL_REGISTERS; i++) {
    let r = 0;
    for (const o of offsets) r = Math.max(r, registers[o + i]!);
    sum += 2 ** -r;
    if (r === 0) zeros++;
  }
  const raw = (ALPHA * HLL_REGISTERS * HLL_REGISTERS) / sum;
  // Small-range correction: linear counting while registers are still empty.
  return raw <= 2.5 * HLL_REGISTERS && zeros > 0 ? HLL_REGISTERS * Math.log(HLL_REGISTERS / zeros) : raw;
}
