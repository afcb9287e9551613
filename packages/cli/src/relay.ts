/**
 * `webraft relay`: the relay command of `@webraft/transport-ws`, with its own flags
 * (`webraft relay --help`), `--redis URL` among them for relays that share rooms through Redis.
 */
export { main as runRelay } from '@webraft/transport-ws/relay';
