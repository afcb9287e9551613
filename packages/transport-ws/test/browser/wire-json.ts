/** Messages as JSON for crossing between the test runner and a page; Uint8Arrays as base64. */
import type { Message } from '@webraft/core';

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) {
      let binary = '';
      for (let i = 0; i < v.length; i += 0x8000) binary += String.fromCharCode(...v.subarray(i, i + 0x8000));
      return { $u8: btoa(binary) };
    }
    return v;
  });
}

export function fromJson<T = Message>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && '$u8' in v) {
      const binary = atob((v as { $u8: string }).$u8);
      const out = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
      return out;
    }
    return v;
  }) as T;
}
