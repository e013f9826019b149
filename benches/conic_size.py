"""Label arrays of CoNIC's size for timing the instance metrics (issue 17).

Tiles the eight 96 x 96 reference label maps (tests/fixtures/instance/conic_{true,pred}.npy)
into N images of 256 x 256, 3 x 3 tiles each (cropped at 256), the tiles chosen at random
(seed 17), the same tiles for truth and prediction; each tile's instance ids are offset so that
they stay unique within an image. About 100 instances per image. Standard library only.

    python3 benches/conic_size.py OUT_DIR [N]    # N defaults to 4981, CoNIC's count

writes OUT_DIR/truth.npy and OUT_DIR/pred.npy (int32, N x 256 x 256 x 2, about 2.6 GB each).
"""

import array
import os
import random
import sys

SIZE, TILE, GRID = 256, 96, 3


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    length = int.from_bytes(data[8:10], "little")
    header = data[10 : 10 + length].decode()
    assert "'<i4'" in header and "(8, 96, 96, 2)" in header, header
    values = array.array("i")
    values.frombytes(data[10 + length :])
    return values


def tiles(values):
    """Every (image, tile position) variant as 96 rows of bytes, ids offset by 1000 per position."""
    per_image = TILE * TILE * 2
    out = {}
    for image in range(8):
        base = values[image * per_image : (image + 1) * per_image]
        for position in range(GRID * GRID):
            shifted = array.array("i", base)
            for i in range(0, len(shifted), 2):
                if shifted[i]:
                    shifted[i] += 1000 * position
            raw = shifted.tobytes()
            row = TILE * 2 * 4
            out[image, position] = [raw[r * row : (r + 1) * row] for r in range(TILE)]
    return out


def write(path, variants, choices):
    header = "{'descr': '<i4', 'fortran_order': False, 'shape': (%d, %d, %d, 2), }" % (
        len(choices), SIZE, SIZE)
    header += " " * (127 - 10 - len(header)) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode())
        for choice in choices:
            for y in range(SIZE):
                ty, r = divmod(y, TILE)
                row = b"".join(variants[choice[ty * GRID + tx], ty * GRID + tx][r] for tx in range(GRID))
                f.write(row[: SIZE * 2 * 4])


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 4981
    here = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "instance")
    rng = random.Random(17)
    choices = [[rng.randrange(8) for _ in range(GRID * GRID)] for _ in range(count)]
    os.makedirs(out, exist_ok=True)
    for side in ("true", "pred"):
        variants = tiles(read_npy(os.path.join(here, f"conic_{side}.npy")))
        write(os.path.join(out, "truth.npy" if side == "true" else "pred.npy"), variants, choices)


if __name__ == "__main__":
    main()
