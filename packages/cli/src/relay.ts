/** `webraft relay`: the relay command of `@webraft/transport-ws`, with its own flags. */
export { main as runRelay } from '@webraft/transport-ws/relay';
