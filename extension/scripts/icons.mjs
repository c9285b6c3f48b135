// Draws Keyward's icon (a white key on a blue rounded square) at 16, 32, 48 and 128 px and writes
// PNGs, byte for byte the same on every run: `node extension/scripts/icons.mjs [out-dir]`.
// Shapes are signed-distance tests, 4x4 supersampled for anti-aliasing; PNG is encoded by hand
// with node's zlib so no image library is needed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

export const SIZES = [16, 32, 48, 128];
const BLUE = [11, 92, 173];
const WHITE = [255, 255, 255];

// Coverage tests in a unit square (0..1). Returns 'key', 'bg' or null (transparent).
function sample(x, y) {
  const r = 0.2; // corner radius of the tile
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  if (Math.hypot(x - cx, y - cy) > r) return null;
  // Key: a ring (bow) on the left, a shaft to the right, two teeth below the shaft.
  const d = Math.hypot(x - 0.33, y - 0.5);
  const ring = d < 0.2 && d > 0.09;
  const shaft = x > 0.48 && x < 0.86 && y > 0.45 && y < 0.55;
  const tooth1 = x > 0.7 && x < 0.77 && y >= 0.55 && y < 0.68;
  const tooth2 = x > 0.8 && x < 0.86 && y >= 0.55 && y < 0.64;
  return ring || shaft || tooth1 || tooth2 ? 'key' : 'bg';
}

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export function png(size) {
  const ss = 4;
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA
    for (let px = 0; px < size; px++) {
      let key = 0;
      let bg = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const s = sample((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size);
          if (s === 'key') key++;
          else if (s === 'bg') bg++;
        }
      }
      const covered = key + bg;
      const o = 1 + px * 4;
      if (covered > 0) {
        for (let i = 0; i < 3; i++) row[o + i] = Math.round((WHITE[i] * key + BLUE[i] * bg) / covered);
        row[o + 3] = Math.round((255 * covered) / (ss * ss));
      }
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  const idat = deflateSync(Buffer.concat(rows), { level: 9 });
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'icons');
  mkdirSync(out, { recursive: true });
  for (const size of SIZES) writeFileSync(join(out, `icon-${size}.png`), png(size));
}
