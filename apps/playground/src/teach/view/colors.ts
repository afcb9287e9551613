import type { Role } from '@webraft/core';

/** Light fills, so the dark text on a server reads at WCAG AA contrast in both themes. */
export const roleColor: Record<Role | 'down', string> = {
  follower: '#a9c4e8',
  preCandidate: '#f5da85',
  candidate: '#f4ab55',
  leader: '#72cc8f',
  down: '#d5d8dd',
};

/** Text drawn on a server or a log cell. */
export const ink = '#111827';

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
  found: '#607d3b',
  foundResp: '#607d3b',
};

export function messageColor(type: string): string {
  return messageColors[type] ?? '#555';
}

/** A distinct, stable colour per term, so a log shows at a glance which leader wrote what. */
export function termColor(term: number): string {
  return hslToHex((term * 137.508 + 200) % 360, 0.62, 0.8);
}

function hslToHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255).toString(16).padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/** WCAG 2 contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
