// One bidder per tab: the tabs share the auction through `createTabStore` (BroadcastChannel
// between the tabs, IndexedDB for the log); a bid counts once it is committed, and the log
// decides the order of bids.
import { createTabStore } from '@webraft/store';
import { applyAuction, highestBid, newAuction, type Auction, type AuctionResult } from './auction.ts';

const store = await createTabStore({
  name: 'auction',
  initialState: newAuction,
  apply: applyAuction,
  worker: () => new Worker('/store-worker.js', { type: 'module', name: 'auction store' }),
});
// This tab's bidder name: the store's id for the tab, new for every page load.
const id = store.status().tab;

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
$('#me').textContent = `You are bidder ${id}`;
let sequence = 0;

function bid(amount: number): Promise<AuctionResult | undefined> {
  return store.dispatch({ type: 'bid', bid: { id: `${id}-${Date.now().toString(36)}-${sequence++}`, bidder: id, amount } });
}

function close(): Promise<AuctionResult | undefined> {
  return store.dispatch({ type: 'close' });
}

function render(auction: Auction): void {
  const top = highestBid(auction);
  $('#high').textContent = top ? `${top.amount} by ${top.bidder}` : 'no bids yet';
  $('#state').textContent = auction.open ? 'open' : auction.winner ? `closed: ${auction.winner.bidder} wins with ${auction.winner.amount}` : 'closed without bids';
  $('#bids').replaceChildren(...[...auction.bids].reverse().map((b) => {
    const li = document.createElement('li');
    li.textContent = `${b.amount} — ${b.bidder}${b.bidder === id ? ' (you)' : ''}`;
    return li;
  }));
  $<HTMLButtonElement>('#place').disabled = !auction.open;
  $<HTMLButtonElement>('#close').disabled = !auction.open;
  const amount = $<HTMLInputElement>('#amount');
  amount.min = String((top?.amount ?? 0) + 1);
  if (Number(amount.value) <= (top?.amount ?? 0)) amount.value = amount.min;
}

function say(text: string): void {
  $('#message').textContent = text;
}

$('#form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const amount = Number($<HTMLInputElement>('#amount').value);
  const result = await bid(amount).catch((error: Error) => say(error.message));
  if (result) say(result.accepted ? `Your bid of ${amount} is in.` : `Bid of ${amount} refused: ${result.reason}.`);
});
$('#close').addEventListener('click', () => void close().catch((error: Error) => say(error.message)));

store.subscribe(render);
render(store.getState());

// For the test (and the curious, in the console).
Object.assign(globalThis, {
  auction: { id, ready: Promise.resolve(), bid, close, state: () => store.getState(), read: () => store.read() },
});
