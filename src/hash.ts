// One SHA-256 hex helper for every derived identifier (dedup keys, session ids, lane keys, FIFO ids).
import { hash } from 'node:crypto';

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
