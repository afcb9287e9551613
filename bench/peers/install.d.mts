/** Installs the peer libraries into bench/peers/node_modules when they are missing. */
export function ensurePeersInstalled(): void;
