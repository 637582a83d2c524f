import { closeSync, openSync, readSync } from 'node:fs';

// Randomness for the network side (the monitor's sentinel nonce, which the
// sandbox must not guess, and ports that are not fixed targets), straight
// from the kernel's CSPRNG: node:crypto costs ~8 ms to load in every new sbsh
// process, and nothing else on a sandboxed line needs it.

export function randomBytesSync(n: number): Buffer {
  const out = Buffer.alloc(n);
  const fd = openSync('/dev/urandom', 'r');
  try {
    for (let got = 0; got < n; ) got += readSync(fd, out, got, n - got, null);
  } finally {
    closeSync(fd);
  }
  return out;
}

/** A uniform integer in [min, max), like crypto.randomInt (rejection sampling: no modulo bias). */
export function randomIntSync(min: number, max: number): number {
  const range = max - min;
  if (!Number.isInteger(min) || !Number.isInteger(max) || range <= 0 || range > 2 ** 32) throw new RangeError(`randomIntSync: bad range [${min}, ${max})`);
  const limit = 2 ** 32 - (2 ** 32 % range);
  for (;;) {
    const x = randomBytesSync(4).readUInt32LE(0);
    if (x < limit) return min + (x % range);
  }
}
