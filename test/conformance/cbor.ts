// A minimal CBOR (RFC 8949) decoder for `format=cbor` answers: maps, arrays, strings, numbers,
// booleans, null. Enough for the JSON-shaped documents OpenSearch sends.
import { ConformanceError } from './errors.ts';

function half(bits: number): number {
  const exp = (bits >> 10) & 31;
  const mant = bits & 1023;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export function decodeCbor(data: Uint8Array): unknown {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  const need = (n: number): void => {
    if (pos + n > data.length) throw new ConformanceError('truncated CBOR');
  };
  /** Reserves `n` bytes and returns where they start. */
  const take = (n: number): number => {
    need(n);
    pos += n;
    return pos - n;
  };
  const readLength = (info: number): number => {
    if (info < 24) return info;
    if (info === 24) return view.getUint8(take(1));
    if (info === 25) return view.getUint16(take(2));
    if (info === 26) return view.getUint32(take(4));
    if (info === 27) return Number(view.getBigUint64(take(8)));
    throw new ConformanceError(`unsupported CBOR length ${info}`);
  };
  const BREAK = Symbol('break');
  const item = (): unknown => {
    const initial = view.getUint8(take(1));
    const major = initial >> 5;
    const info = initial & 31;
    if (info === 31 && major >= 2 && major <= 5) return indefinite(major);
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22 || info === 23) return null;
      if (info === 25) return half(view.getUint16(take(2)));
      if (info === 26) return view.getFloat32(take(4));
      if (info === 27) return view.getFloat64(take(8));
      if (info === 31) return BREAK;
      return info;
    }
    const n = readLength(info);
    switch (major) {
      case 0:
        return n;
      case 1:
        return -1 - n;
      case 2:
        return data.slice(take(n), pos);
      case 3:
        return new TextDecoder().decode(data.subarray(take(n), pos));
      case 4:
        return Array.from({ length: n }, () => item());
      case 5: {
        const obj: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const key = String(item());
          Object.defineProperty(obj, key, {
            value: item(),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return obj;
      }
      default:
        return item(); // a tag: the tagged value stands for itself
    }
  };
  const indefinite = (major: number): unknown => {
    const parts: unknown[] = [];
    for (let next = item(); next !== BREAK; next = item()) parts.push(next);
    if (major === 3) return parts.join('');
    if (major === 4) return parts;
    if (major === 2) return parts;
    const obj: Record<string, unknown> = {};
    for (let i = 0; i + 1 < parts.length; i += 2) {
      Object.defineProperty(obj, String(parts[i]), {
        value: parts[i + 1],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return obj;
  };
  return item();
}
