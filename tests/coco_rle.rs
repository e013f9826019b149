//! `convert --to coco-rle`: every nucleus as a COCO run-length mask of the pixels its outline
//! covers, read back by tracing (exact for integer boxes; other outlines become their pixels,
//! and are counted).

use nucagree::geometry::raster::covered_pixels;
use nucagree::ingest::{self, ReadOptions};
use nucagree::model::Shape;
use nucagree::writers::set::{outlines_simplified, write_set, OutputFormat};

#[test]
fn boxes_become_masks_of_exactly_their_pixels_and_other_outlines_their_covered_pixels() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("set");
    std::fs::create_dir_all(&input).unwrap();
    // Two overlapping integer boxes, a star-like polygon off the grid, a point.
    std::fs::write(
        input.join("fov_1.csv"),
        "raw_classification,type,coords_x,coords_y\n\
         tumor,rectangle,\"10,30,30,10\",\"10,10,25,25\"\n\
         lymphocyte,rectangle,\"20,40,40,20\",\"20,20,32,32\"\n\
         fibroblast,polyline,\"60.3,75.8,70.1,61.2\",\"5.5,8.2,21.7,18.4\"\n\
         tumor,point,50,50\n",
    )
    .unwrap();
    let set = ingest::read_set(&input, &ReadOptions::default()).unwrap();
    assert_eq!(outlines_simplified(&set, OutputFormat::CocoRle), 1);
    assert_eq!(outlines_simplified(&set, OutputFormat::Coco), 0);
    let out = dir.path().join("rle");
    write_set(&set, OutputFormat::CocoRle, &out).unwrap();
    let text = std::fs::read_to_string(out.join("annotations.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    // No image size is known: the image holds what the FOV holds (x up to 75.8, y to 50).
    assert_eq!(json["images"][0]["width"], 76);
    assert_eq!(json["images"][0]["height"], 50);
    let annotations = json["annotations"].as_array().unwrap();
    assert_eq!(annotations[0]["area"], 300.0);
    assert!(annotations[0]["segmentation"]["counts"].is_string());
    assert_eq!(annotations[3]["segmentation"], serde_json::json!([]));
    let back = ingest::read_set(&out.join("annotations.json"), &ReadOptions::default()).unwrap();
    let (fov, fov_back) = (&set.fovs[0], &back.fovs[0]);
    assert_eq!(fov_back.nuclei.len(), 4);
    for (n, m) in fov.nuclei.iter().zip(&fov_back.nuclei) {
        assert_eq!(n.class, m.class);
        match &n.shape {
            Shape::Box(_) => {
                assert_eq!(m.bbox, n.bbox);
                assert_eq!(m.shape.area(), n.shape.area());
            }
            Shape::Point(p) => assert_eq!(m.shape, Shape::Point(*p)),
            shape => {
                let pixels = covered_pixels(shape, 50, 76).len() as f64;
                assert_eq!(m.shape.area(), pixels);
                assert!((m.shape.area() - shape.area()).abs() < 0.1 * shape.area());
            }
        }
    }
    // The overlapping boxes are not a label map: their masks overlap.
    assert!(fov_back.label_map.is_none());
}
