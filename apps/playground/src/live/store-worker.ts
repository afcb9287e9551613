/**
 * The live page's tab-store Worker: the store's own Worker (`@webraft/store/worker`), with the
 * BroadcastChannel its nodes use replaced by one that can isolate this tab. Modules run in
 * import order, so the replacement is in place before the store's host exists (it starts on the
 * page's first message, and reads the BroadcastChannel class then).
 */
import './worker-isolation.ts';
import '@webraft/store/worker';
