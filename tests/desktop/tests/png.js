// Decodes the 8-bit, non-interlaced RGB/RGBA PNGs WebKit's screenshots produce, so the test can tell a
// rendered window from a blank one without an image library.
import { inflateSync } from "node:zlib";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** Returns { width, height, channels, pixels } with pixels as unfiltered bytes, row by row. */
export function decodePng(buffer) {
  if (!buffer.subarray(0, 8).equals(SIGNATURE)) throw new Error("not a PNG");
  let offset = 8;
  let header;
  const data = [];
  while (offset < buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString("latin1", offset + 4, offset + 8);
    const body = buffer.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      header = {
        width: body.readUInt32BE(0),
        height: body.readUInt32BE(4),
        depth: body[8],
        colorType: body[9],
        interlace: body[12],
      };
    } else if (type === "IDAT") {
      data.push(body);
    } else if (type === "IEND") {
      break;
    }
    offset += 12 + length;
  }
  if (!header) throw new Error("PNG without IHDR");
  const channels = { 2: 3, 6: 4 }[header.colorType];
  if (header.depth !== 8 || !channels || header.interlace !== 0) {
    throw new Error(`unsupported PNG (depth ${header.depth}, colour type ${header.colorType}, interlace ${header.interlace})`);
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = header.width * channels;
  const pixels = Buffer.alloc(stride * header.height);
  for (let y = 0; y < header.height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? pixels[out + x - channels] : 0;
      const up = y > 0 ? pixels[out - stride + x] : 0;
      const upLeft = y > 0 && x >= channels ? pixels[out - stride + x - channels] : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter];
      if (predictor === undefined) throw new Error(`bad PNG filter ${filter} on row ${y}`);
      pixels[out + x] = (line[x] + predictor) & 0xff;
    }
  }
  return { width: header.width, height: header.height, channels, pixels };
}

/**
 * The share of dark pixels ("ink": text, icons, borders) inside a rectangle of CSS pixels, scaled
 * by `ratio` device pixels per CSS pixel.
 */
export function inkShare(buffer, rect, ratio = 1) {
  const { width, height, channels, pixels } = decodePng(buffer);
  const x0 = Math.max(0, Math.floor(rect.x * ratio));
  const y0 = Math.max(0, Math.floor(rect.y * ratio));
  const x1 = Math.min(width, Math.ceil((rect.x + rect.width) * ratio));
  const y1 = Math.min(height, Math.ceil((rect.y + rect.height) * ratio));
  let ink = 0;
  let total = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * width + x) * channels;
      const luminance = 0.299 * pixels[i] + 0.587 * pixels[i + 1] + 0.114 * pixels[i + 2];
      if (luminance < 140) ink++;
      total++;
    }
  }
  return total === 0 ? 0 : ink / total;
}

/**
 * Colour statistics: how many distinct colours (5 bits per channel), the share of the most common
 * one, and how many pixels are clearly green (the studio's success colour).
 */
export function pngStats(buffer) {
  const { width, height, channels, pixels } = decodePng(buffer);
  const counts = new Map();
  let green = 0;
  for (let i = 0; i < pixels.length; i += channels) {
    const r = pixels[i];
    const g = pixels[i + 1];
    const b = pixels[i + 2];
    const key = ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (g - Math.max(r, b) > 40) green++;
  }
  const total = width * height;
  const dominant = Math.max(...counts.values()) / total;
  return { width, height, distinctColours: counts.size, dominantShare: dominant, greenPixels: green };
}
