import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { venvPython } from './trainings.js';

export interface DatasetFixtures {
  /** x1 integer, x2 number with 2 empty cells, city string, label; 40 rows */
  csv: string;
  /** the same table as Parquet */
  parquet: string;
  /** circle/ and square/: 6 PNGs each (100×80), plus square/broken.png that is no PNG */
  images: string;
  /** low/ and high/: 3 WAVs each, 0.5 s, 0.75 s and 1 s of a sine tone */
  sounds: string;
  /** ko/ and en/: 3 short texts each */
  texts: string;
}

/** Data a user would have, made with the real tools: Pillow's PNGs, the stdlib's WAVs, pandas' Parquet. */
export function writeDatasetFixtures(dir: string): DatasetFixtures {
  const script = `
import json, math, os, struct, sys, wave
import pandas
from PIL import Image, ImageDraw
root = sys.argv[1]
rows = [{"x1": i, "x2": (None if i in (3, 7) else i / 4), "city": ["서울", "Busan", "Jeju"][i % 3], "label": "ab"[i % 2]} for i in range(40)]
frame = pandas.DataFrame(rows)
frame.to_csv(os.path.join(root, "table.csv"), index=False)
frame.to_parquet(os.path.join(root, "table.parquet"), index=False)
for shape in ("circle", "square"):
    os.makedirs(os.path.join(root, "images", shape))
    for i in range(6):
        image = Image.new("RGB", (100, 80), (255, 255, 255))
        draw = ImageDraw.Draw(image)
        box = (10 + i, 10, 60 + i, 60)
        (draw.ellipse if shape == "circle" else draw.rectangle)(box, fill=(20 * i, 80, 160))
        image.save(os.path.join(root, "images", shape, f"{i}.png"))
with open(os.path.join(root, "images", "square", "broken.png"), "wb") as f:
    f.write(b"this is not a PNG")
for name, hz in (("low", 220), ("high", 880)):
    os.makedirs(os.path.join(root, "sounds", name))
    for i, seconds in enumerate((0.5, 0.75, 1.0)):
        rate = 8000
        with wave.open(os.path.join(root, "sounds", name, f"{i}.wav"), "wb") as w:
            w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
            w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * n / rate))) for n in range(int(rate * seconds))))
texts = {"ko": ["오늘 날씨가 정말 좋네요", "이 영화는 너무 재미있었어요", "점심으로 김치찌개를 먹었다"],
         "en": ["The weather is lovely today", "That film was great fun", "We had soup for lunch"]}
for lang, lines in texts.items():
    os.makedirs(os.path.join(root, "texts", lang))
    for i, line in enumerate(lines):
        with open(os.path.join(root, "texts", lang, f"{i}.txt"), "w", encoding="utf-8") as f:
            f.write(line)
`;
  const run = spawnSync(venvPython, ['-c', script, dir], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`making the datasets failed:\n${run.stderr}`);
  return {
    csv: join(dir, 'table.csv'),
    parquet: join(dir, 'table.parquet'),
    images: join(dir, 'images'),
    sounds: join(dir, 'sounds'),
    texts: join(dir, 'texts'),
  };
}

/** A zip made with Python's zipfile: `entries` name → text ("/" at the end: a folder). */
export function writeZip(path: string, entries: Record<string, string>): string {
  const script = `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name, text in json.loads(sys.argv[2]).items():
        z.writestr(name, text)
`;
  const run = spawnSync(venvPython, ['-c', script, path, JSON.stringify(entries)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`making the zip failed:\n${run.stderr}`);
  return path;
}

/** The size of a PNG data URL's image, read from its IHDR. */
export function pngSize(dataUrl: string): { width: number; height: number } {
  const bytes = Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
  if (bytes.subarray(1, 4).toString('latin1') !== 'PNG') throw new Error('not a PNG data URL');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
