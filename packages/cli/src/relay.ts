/**
 * `webraft relay`: the relay of `@webraft/transport-ws`, with its own flags. Its command-line
 * entry is not part of the package's exports, so it is loaded beside the resolved
 * `@webraft/transport-ws/relay` module (sources or build alike).
 */
export async function runRelay(argv: readonly string[]): Promise<void> {
  const relayModule = import.meta.resolve('@webraft/transport-ws/relay');
  const extension = relayModule.endsWith('.ts') ? '.ts' : '.js';
  const cli = (await import(new URL(`./cli${extension}`, relayModule).href)) as { main(argv: readonly string[]): Promise<void> };
  await cli.main(argv);
}
