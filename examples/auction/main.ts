// One bidder per tab: each tab runs a Raft node (BroadcastChannel between the tabs, IndexedDB
// for its log); a bid counts once it is committed, and the log decides the order of bids.
import { createTabStore } from '@webraft/store';
import { claimSlot } from '../web/slot.ts';
import { applyAuction, highestBid, newAuction, type Auction, type AuctionResult } from './auction.ts';

const members = ['t1', 't2', 't3'];
const id = await claimSlot('auction', members);
const store = await createTabStore({
  name: 'auction',
  id,
  members,
  initialState: newAuction,
  apply: applyAuction,
  logOptions: { onLocked: 'wait' },
});

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
  auction: { id, ready: store.node.waitForLeader({ timeoutMs: 60_000 }), bid, close, state: () => store.getState(), read: () => store.read() },
});
