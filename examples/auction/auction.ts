// The auction's rules, as a reducer: it runs on every tab in log order, so every tab accepts
// and refuses exactly the same bids and names the same winner.
import { withResult, type Reduced } from '@webraft/store';

export interface Bid {
  readonly id: string;
  readonly bidder: string;
  readonly amount: number;
}

export interface Auction {
  readonly open: boolean;
  /** Accepted bids, in log order: each is higher than every one before it. */
  readonly bids: readonly Bid[];
  /** Set when the auction closes: the highest bid, or null when nobody bid. */
  readonly winner: Bid | null;
}

export type AuctionCommand = { readonly type: 'bid'; readonly bid: Bid } | { readonly type: 'close' };

export type AuctionResult =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly reason: 'closed' | 'tooLow' | 'invalid' };

export const newAuction: Auction = { open: true, bids: [], winner: null };

export function highestBid(auction: Auction): Bid | undefined {
  return auction.bids.at(-1);
}

export function applyAuction(auction: Auction, command: AuctionCommand): Reduced<Auction, AuctionResult> {
  if (command.type === 'close') {
    if (!auction.open) return withResult(auction, { accepted: false, reason: 'closed' });
    return withResult({ ...auction, open: false, winner: highestBid(auction) ?? null }, { accepted: true });
  }
  const { bid } = command;
  if (!auction.open) return withResult(auction, { accepted: false, reason: 'closed' });
  if (!Number.isSafeInteger(bid.amount) || bid.amount <= 0 || typeof bid.bidder !== 'string') {
    return withResult(auction, { accepted: false, reason: 'invalid' });
  }
  if (bid.amount <= (highestBid(auction)?.amount ?? 0)) return withResult(auction, { accepted: false, reason: 'tooLow' });
  return withResult({ ...auction, bids: [...auction.bids, bid] }, { accepted: true });
}
