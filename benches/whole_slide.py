"""Two whole slides of about a million nuclei each, truth and predictions, for timing
`score --tile` on whole slides (issue 22).

Each slide is one FOV file in the NuCLS CSV layout (`csv/<slide>.csv`): nuclei as boxes of
8-16 px on a jittered 12 px grid over a 12,000 x 12,000 px region (about a million), in the
NuCLS raw classes. The predictions keep 92% of the truth, shifted by up to 2 px and resized
by up to 15%, with a class kept 85% of the time, and add 6% false nuclei; each prediction has
a score. Seeded (22); standard library only.

    python3 benches/whole_slide.py OUT_DIR [SIDE_PX] [--geojson]    # SIDE_PX: 12000

writes OUT_DIR/truth/csv/slide_{1,2}.csv and OUT_DIR/pred/csv/slide_{1,2}.csv (about 50 MB
each), or with --geojson OUT_DIR/truth/slide_{1,2}.geojson and OUT_DIR/pred/... as QuPath
writes whole-slide detections (one FeatureCollection per slide, boxes as 5-point polygons
marked `nucls_type: rectangle`, about 300 MB each), then for example

    nucagree score --truth OUT_DIR/truth --pred OUT_DIR/pred --shape box --tile 1024
"""

import os
import random
import sys

CLASSES = ["tumor", "lymphocyte", "fibroblast", "plasma_cell", "macrophage", "unlabeled"]
WEIGHTS = [40, 25, 15, 10, 3, 7]
HEADER = "raw_classification,type,xmin,ymin,xmax,ymax\n"


def box_row(cls, x0, y0, x1, y1, score=None):
    row = f"{cls},rectangle,{x0:.1f},{y0:.1f},{x1:.1f},{y1:.1f}"
    return row + (f",{score:.3f}\n" if score is not None else "\n")


def feature_row(cls, x0, y0, x1, y1, score=None):
    ring = f"[[{x0:.1f},{y0:.1f}],[{x1:.1f},{y0:.1f}],[{x1:.1f},{y1:.1f}],[{x0:.1f},{y1:.1f}],[{x0:.1f},{y0:.1f}]]"
    properties = f'"objectType":"detection","classification":{{"name":"{cls}"}},"nucls_type":"rectangle"'
    if score is not None:
        properties += f',"score":{score:.3f}'
    return (
        f'{{"type":"Feature","geometry":{{"type":"Polygon","coordinates":[{ring}]}},'
        f'"properties":{{{properties}}}}}'
    )


class GeoJsonWriter:
    """Features written as they come, comma-separated inside one FeatureCollection."""

    def __init__(self, path):
        self.file = open(path, "w")
        self.file.write('{"type":"FeatureCollection","features":[\n')
        self.first = True

    def write(self, row):
        self.file.write(row if self.first else ",\n" + row)
        self.first = False

    def close(self):
        self.file.write("\n]}\n")
        self.file.close()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    geojson = "--geojson" in sys.argv[1:]
    out = args[0]
    side = int(args[1]) if len(args) > 1 else 12000
    rng = random.Random(22)
    global box_row
    if geojson:
        box_row = feature_row
    for slide in (1, 2):
        sub = () if geojson else ("csv",)
        truth_dir = os.path.join(out, "truth", *sub)
        pred_dir = os.path.join(out, "pred", *sub)
        os.makedirs(truth_dir, exist_ok=True)
        os.makedirs(pred_dir, exist_ok=True)
        if geojson:
            truth = GeoJsonWriter(os.path.join(truth_dir, f"slide_{slide}.geojson"))
            pred = GeoJsonWriter(os.path.join(pred_dir, f"slide_{slide}.geojson"))
        else:
            truth = open(os.path.join(truth_dir, f"slide_{slide}.csv"), "w")
            pred = open(os.path.join(pred_dir, f"slide_{slide}.csv"), "w")
            truth.write(HEADER)
            pred.write(HEADER.rstrip("\n") + ",score\n")
        for gy in range(0, side, 12):
            for gx in range(0, side, 12):
                w, h = rng.uniform(8, 11), rng.uniform(8, 11)
                x0, y0 = gx + rng.uniform(0, 12 - w), gy + rng.uniform(0, 12 - h)
                cls = rng.choices(CLASSES, WEIGHTS)[0]
                truth.write(box_row(cls, x0, y0, x0 + w, y0 + h))
                if rng.random() < 0.92:
                    dx, dy = rng.uniform(-2, 2), rng.uniform(-2, 2)
                    sw, sh = w * rng.uniform(0.85, 1.15), h * rng.uniform(0.85, 1.15)
                    pcls = cls if rng.random() < 0.85 else rng.choices(CLASSES, WEIGHTS)[0]
                    score = rng.uniform(0.4, 1.0)
                    pred.write(box_row(pcls, x0 + dx, y0 + dy, x0 + dx + sw, y0 + dy + sh, score))
                if rng.random() < 0.06:
                    fx, fy = gx + rng.uniform(0, 4), gy + rng.uniform(0, 4)
                    fcls = rng.choices(CLASSES, WEIGHTS)[0]
                    pred.write(box_row(fcls, fx, fy, fx + 8, fy + 8, rng.uniform(0.0, 0.7)))
        truth.close()
        pred.close()


if __name__ == "__main__":
    main()
