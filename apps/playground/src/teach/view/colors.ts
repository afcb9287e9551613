import type { Role } from '@webraft/core';

export const roleColor: Record<Role | 'down', string> = {
  follower: '#7f9cc4',
  preCandidate: '#f2cf73',
  candidate: '#ef9f2f',
  leader: '#2f9e55',
  down: '#b9b9b9',
};

export const roleLabel: Record<Role | 'down', string> = {
  follower: 'follower',
  preCandidate: 'pre-candidate',
  candidate: 'candidate',
  leader: 'leader',
  down: 'crashed',
};

const messageColors: Record<string, string> = {
  vote: '#e07b1a',
  voteResp: '#e07b1a',
  app: '#2563c9',
  appResp: '#2563c9',
  heartbeat: '#5fa8d3',
  heartbeatResp: '#5fa8d3',
  snap: '#8e44ad',
  snapResp: '#8e44ad',
  timeoutNow: '#c0392b',
  prop: '#16a085',
  readIndex: '#d63384',
  readIndexResp: '#d63384',
  transferLeader: '#c0392b',
};

export function messageColor(type: string): string {
  return messageColors[type] ?? '#555';
}

/** A distinct, stable colour per term, so a log shows at a glance which leader wrote what. */
export function termColor(term: number): string {
  const hue = (term * 137.508 + 200) % 360;
  return `hsl(${hue.toFixed(0)} 62% 78%)`;
}
