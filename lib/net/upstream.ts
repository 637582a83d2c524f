import { connect, isIP, type LookupFunction, type Socket } from 'node:net';

// Connections to a destination the proxy has admitted: only to the addresses
// that were checked (a lookup function that answers with them, never DNS),
// trying each with Happy Eyeballs, and giving up after a deadline so a dead
// upstream never holds a client forever.

function pinnedLookup(addresses: readonly string[]): LookupFunction {
  const all = addresses.map((address) => ({ address, family: isIP(address) }));
  return (_hostname, options, callback) => {
    if (options.all) callback(null, all);
    else callback(null, all[0]!.address, all[0]!.family);
  };
}

/**
 * Starts connecting and returns the socket at once (so the caller can track
 * and destroy it); it emits `connect`, or `error` (ETIMEDOUT after
 * `timeoutMs` without a connection).
 */
export function connectPinned(addresses: readonly string[], port: number, timeoutMs: number): Socket {
  if (addresses.length === 0) throw new Error('connectPinned: no addresses');
  const socket = connect({
    // Never resolved: the pinned lookup answers for it.
    host: 'pinned.invalid',
    port,
    lookup: pinnedLookup(addresses),
    autoSelectFamily: true,
    noDelay: true,
  });
  const timer = setTimeout(() => {
    socket.destroy(Object.assign(new Error(`connect to port ${port} timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
  }, timeoutMs);
  const clear = () => clearTimeout(timer);
  socket.once('connect', clear);
  socket.once('close', clear);
  return socket;
}
