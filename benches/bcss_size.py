"""Region masks at BCSS's scale, for timing `nucagree regions` (issue 24): 151 ROIs of about
4,000 x 4,000 px, two annotators.

Each ROI is an 8-bit grayscale PNG of BCSS codes: stroma (2) with tumor nests (1),
lymphocytic infiltrates (3), necrosis (4), fat (9) and blood vessels (18) as discs, an
band outside the ROI (0) along the top and bottom and a few excluded patches (7).
The second annotator's discs are shifted by up to 12 px, resized by up to 15%, and one in ten
takes another class. Seeded (24); standard library only.

    python3 benches/bcss_size.py OUT_DIR [ROIS]    # ROIS defaults to 151

writes OUT_DIR/a/<roi>.png and OUT_DIR/b/<roi>.png (BCSS names, about 3 GB of pixels per
side, some 60 MB of files), then

    nucagree regions OUT_DIR/a OUT_DIR/b --timings
"""

import os
import random
import struct
import sys
import zlib

CLASSES = [1, 1, 1, 3, 3, 4, 9, 18]


def png(path, width, height, rows):
    """An 8-bit grayscale PNG from `rows` (bytes objects of `width`)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + row for row in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 1)))
        f.write(chunk(b"IEND", b""))


def paint(width, height, discs, margin, excluded):
    rows = []
    for y in range(height):
        row = bytearray(b"\x02" * width)
        for (cx, cy, r, code) in discs:
            dy = y - cy
            if -r <= dy <= r:
                half = int((r * r - dy * dy) ** 0.5)
                x0, x1 = max(0, cx - half), min(width, cx + half + 1)
                if x0 < x1:
                    row[x0:x1] = bytes([code]) * (x1 - x0)
        for (x0, y0, x1, y1) in excluded:
            if y0 <= y < y1:
                row[x0:x1] = b"\x07" * (x1 - x0)
        top, bottom = margin[0][y % len(margin[0])], margin[1][y % len(margin[1])]
        if y < top or y >= height - bottom:
            row[:] = b"\x00" * width
        rows.append(bytes(row))
    return rows


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 151
    rng = random.Random(24)
    for side in ("a", "b"):
        os.makedirs(os.path.join(out, side), exist_ok=True)
    for i in range(count):
        width, height = rng.randint(3500, 4500), rng.randint(3500, 4500)
        slide = f"TCGA-{['A1', 'A2', 'AR', 'BH', 'C8', 'E2'][i % 6]}-Z{i // 3:03d}-DX1"
        name = f"{slide}_xmin{rng.randint(0, 90000)}_ymin{rng.randint(0, 90000)}_MPP-0.2500"
        discs = [(rng.randint(0, width), rng.randint(0, height), rng.randint(60, 420),
                  rng.choice(CLASSES)) for _ in range(rng.randint(20, 45))]
        margin = ([rng.randint(0, 120)], [rng.randint(0, 120)])
        excluded = []
        for _ in range(rng.randint(0, 3)):
            x0, y0 = rng.randint(0, width - 200), rng.randint(0, height - 200)
            excluded.append((x0, y0, x0 + rng.randint(50, 200), y0 + rng.randint(50, 200)))
        other = []
        for (cx, cy, r, code) in discs:
            code_b = rng.choice(CLASSES) if rng.random() < 0.1 else code
            other.append((cx + rng.randint(-12, 12), cy + rng.randint(-12, 12),
                          max(10, int(r * rng.uniform(0.85, 1.15))), code_b))
        png(os.path.join(out, "a", name + ".png"), width, height,
            paint(width, height, discs, margin, excluded))
        png(os.path.join(out, "b", name + ".png"), width, height,
            paint(width, height, other, margin, excluded))


if __name__ == "__main__":
    main()
