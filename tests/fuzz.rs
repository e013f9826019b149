//! A fuzz harness on the stable toolchain over every reader: seeded mutations of a valid
//! file of each format (bytes flipped, set to edge values, chunks deleted, duplicated or
//! spliced from another format, tokens such as `NaN` or `1e308` inserted, the file cut short)
//! are read as a set. Every outcome must be a set or an error: a panic fails, as does a read
//! past a generous time limit (a hang, not a speed check) or a process that grows past
//! 4 GB.
//!
//! `cargo test fuzz` runs a short round (400 inputs a reader, 4,800 in all); the long run is
//! `NUCAGREE_FUZZ_SECONDS=600 cargo test --release --test fuzz -- --ignored` (seconds a
//! reader). A failing input is saved under `target/fuzz-failures/` with its reader's name.

use nucagree::ingest::metadata::read_type_map;
use nucagree::ingest::{read_set, ReadOptions, Strictness};
use nucagree::model::ClassHierarchy;
use nucagree::writers::set::{write_set, OutputFormat};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longer than any read of these small files takes, even in a debug build: only a hang
/// gets here.
const HANG_LIMIT: Duration = Duration::from_secs(60);

/// The peak memory (VmHWM) past which the process is said to have blown up.
const MEMORY_LIMIT_KB: u64 = 4 * 1024 * 1024;

/// One format's valid input: a set folder, the file in it that is mutated, and the options
/// it is read with.
struct Seed {
    name: &'static str,
    root: PathBuf,
    target: PathBuf,
    bytes: Vec<u8>,
    options: ReadOptions,
}

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap();
}

/// The first FOVs of the sample's corrected set, written as `format` into `dir`: the file
/// of that format to mutate.
fn written_as(format: OutputFormat, dir: &Path, extension: &str) -> PathBuf {
    let mut set = read_set(
        &manifest().join("data-sample/corrected"),
        &ReadOptions::default(),
    )
    .unwrap();
    set.fovs.truncate(3);
    write_set(&set, format, dir).unwrap();
    let mut files: Vec<PathBuf> = walk(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    files.into_iter().next().unwrap()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// A NuCLS mask: two nuclei and the FOV region, in RGB (class code, instance ids).
fn mask_png() -> Vec<u8> {
    let (width, height) = (40u32, 30u32);
    let mut pixels = vec![0u8; (width * height * 3) as usize];
    for y in 0..height {
        for x in 0..width {
            let i = ((y * width + x) * 3) as usize;
            if (2..38).contains(&x) && (2..28).contains(&y) {
                pixels[i] = 253;
            }
            if (5..15).contains(&x) && (5..12).contains(&y) {
                pixels[i..i + 3].copy_from_slice(&[1, 16, 16]);
            }
            if (20..30).contains(&x) && (10..25).contains(&y) {
                pixels[i..i + 3].copy_from_slice(&[3, 17, 16]);
            }
        }
    }
    nucagree::png::encode_rgb(width, height, &pixels).unwrap()
}

/// A CoNIC array of two 6 × 6 images with a few instances of two classes.
fn conic_npy() -> Vec<u8> {
    let dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 6, 6, 2), }";
    let padded = format!("{dict:<117}\n");
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(padded.len() as u16).to_le_bytes());
    bytes.extend_from_slice(padded.as_bytes());
    for image in 0..2i32 {
        for y in 0..6i32 {
            for x in 0..6i32 {
                let (id, class): (i32, i32) = match (x / 3, y / 3) {
                    (0, 0) => (1, 1),
                    (1, 1) => (2 + image, 2),
                    _ => (0, 0),
                };
                bytes.extend_from_slice(&id.to_le_bytes());
                bytes.extend_from_slice(&class.to_le_bytes());
            }
        }
    }
    bytes
}

fn seeds(scratch: &Path) -> Vec<Seed> {
    let fixtures = manifest().join("tests/fixtures/instance");
    let mut seeds = Vec::new();
    let mut add = |name: &'static str, root: PathBuf, target: PathBuf, options: ReadOptions| {
        let bytes = std::fs::read(&target).unwrap();
        seeds.push(Seed {
            name,
            root,
            target,
            bytes,
            options,
        });
    };

    let nucls = scratch.join("nucls");
    let corrected = manifest().join("data-sample/corrected/csv");
    let mut csvs: Vec<PathBuf> = walk(&corrected);
    csvs.sort();
    copy(&csvs[0], &nucls.join("csv/fov.csv"));
    add(
        "nucls",
        nucls.clone(),
        nucls.join("csv/fov.csv"),
        ReadOptions::default(),
    );
    // Lenient reading skips and counts what strict reading refuses: deeper paths.
    let lenient_dir = scratch.join("nucls-lenient");
    copy(&csvs[1], &lenient_dir.join("csv/fov.csv"));
    let lenient = ReadOptions {
        strictness: Strictness::Lenient,
        ..ReadOptions::default()
    };
    add(
        "nucls lenient",
        lenient_dir.clone(),
        lenient_dir.join("csv/fov.csv"),
        lenient,
    );

    for (name, format, extension) in [
        ("coco", OutputFormat::Coco, "json"),
        ("geojson", OutputFormat::GeoJson, "geojson"),
        ("hugging-face", OutputFormat::HuggingFace, "parquet"),
        ("dsa", OutputFormat::Dsa, "json"),
    ] {
        let dir = scratch.join(name);
        let target = written_as(format, &dir, extension);
        add(name, dir, target, ReadOptions::default());
    }

    // COCO with RLE masks: a label-map set written as COCO, read with its classes.
    let mut labels = read_set(&fixtures.join("png/true"), &ReadOptions::default()).unwrap();
    labels.fovs.truncate(2);
    let coco_rle = scratch.join("coco-rle");
    write_set(&labels, OutputFormat::Coco, &coco_rle).unwrap();
    let with_classes = ReadOptions {
        hierarchy: labels.hierarchy.clone(),
        hierarchy_chosen: true,
        ..ReadOptions::default()
    };
    add(
        "coco rle",
        coco_rle.clone(),
        coco_rle.join("annotations.json"),
        with_classes,
    );

    // QuPath cells: a cell outline and a nucleus outline each, derived classes.
    let qupath = scratch.join("qupath");
    std::fs::create_dir_all(&qupath).unwrap();
    let cell = |x: f64, names: serde_json::Value| {
        serde_json::json!({"type": "Feature", "id": format!("c{x}"),
            "geometry": {"type": "Polygon",
                "coordinates": [[[x, 0], [x + 20.0, 0], [x + 20.0, 20], [x, 20], [x, 0]]]},
            "nucleusGeometry": {"type": "Polygon",
                "coordinates": [[[x + 5.0, 5], [x + 15.0, 5], [x + 12.0, 15], [x + 5.0, 15], [x + 5.0, 5]]]},
            "properties": {"objectType": "cell", "classification": {"names": names},
                           "measurements": {"Nucleus: Area": 90}}})
    };
    let cells = serde_json::json!({"type": "FeatureCollection", "features": [
        cell(0.0, serde_json::json!(["tumor", "Positive"])),
        cell(30.0, serde_json::json!(["lymphocyte"])),
    ]});
    std::fs::write(qupath.join("fov_a.geojson"), cells.to_string()).unwrap();
    add(
        "qupath cells",
        qupath.clone(),
        qupath.join("fov_a.geojson"),
        ReadOptions::default(),
    );

    let hovernet = scratch.join("hovernet");
    std::fs::create_dir_all(&hovernet).unwrap();
    let json = serde_json::json!({
        "mag": 40,
        "nuc": {
            "1": {"bbox": [[0, 0], [10, 10]], "centroid": [5, 5],
                  "contour": [[0, 0], [10, 0], [10, 10], [0, 10]], "type": 1, "type_prob": 0.5},
            "2": {"bbox": [[20, 20], [30, 30]], "centroid": [25, 25],
                  "contour": [[20, 20], [30, 20], [25, 30], [20, 30]], "type": 2, "type_prob": 0.75}
        }
    });
    std::fs::write(hovernet.join("fov_a.json"), json.to_string()).unwrap();
    let map_file = scratch.join("types.csv");
    std::fs::write(&map_file, "type,class\n1,tumor\n2,lymphocyte\n").unwrap();
    let typed = ReadOptions {
        type_map: Arc::new(read_type_map(&map_file, &ClassHierarchy::nucls()).unwrap()),
        ..ReadOptions::default()
    };
    add(
        "hovernet",
        hovernet.clone(),
        hovernet.join("fov_a.json"),
        typed,
    );

    let mask = scratch.join("mask");
    std::fs::create_dir_all(mask.join("mask")).unwrap();
    std::fs::write(mask.join("mask/fov_a.png"), mask_png()).unwrap();
    add(
        "mask",
        mask.clone(),
        mask.join("mask/fov_a.png"),
        ReadOptions::default(),
    );

    let label_image = scratch.join("label-image");
    for file in ["img00.png", "img00_classes.csv"] {
        copy(
            &fixtures.join("png/true").join(file),
            &label_image.join(file),
        );
    }
    add(
        "label-image",
        label_image.clone(),
        label_image.join("img00.png"),
        ReadOptions::default(),
    );
    let label_classes = scratch.join("label-classes");
    for file in ["img00.png", "img00_classes.csv"] {
        copy(
            &fixtures.join("png/true").join(file),
            &label_classes.join(file),
        );
    }
    add(
        "label-image classes",
        label_classes.clone(),
        label_classes.join("img00_classes.csv"),
        ReadOptions::default(),
    );

    let conic = scratch.join("conic");
    std::fs::create_dir_all(&conic).unwrap();
    std::fs::write(conic.join("labels.npy"), conic_npy()).unwrap();
    add(
        "conic",
        conic.join("labels.npy"),
        conic.join("labels.npy"),
        ReadOptions::default(),
    );

    let pannuke = scratch.join("pannuke");
    copy(
        &fixtures.join("pannuke/true/types.npy"),
        &pannuke.join("types.npy"),
    );
    copy(
        &fixtures.join("pannuke/true/masks.npy"),
        &pannuke.join("masks.npy"),
    );
    add(
        "pannuke types",
        pannuke.join("masks.npy"),
        pannuke.join("types.npy"),
        ReadOptions::default(),
    );

    let mat = scratch.join("mat");
    copy(&fixtures.join("mat/true/img00.mat"), &mat.join("img00.mat"));
    add(
        "hovernet-mat",
        mat.clone(),
        mat.join("img00.mat"),
        ReadOptions::default(),
    );
    seeds
}

/// xorshift64*: the same inputs on every run and machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const EDGE_BYTES: [u8; 14] = [
    0, 0xff, 0x7f, 0x80, b'\n', b'\r', b'"', b',', b'{', b'}', b'[', b'-', b'9', b'.',
];
const TOKENS: [&[u8]; 14] = [
    b"NaN",
    b"1e308",
    b"-1",
    b"null",
    b"[]",
    b"{}",
    b"\"\"",
    b"99999999999",
    b"inf",
    b"0",
    b"\xef\xbb\xbf",
    b"\"a\",\"b\"",
    b"[[0,0],[0,0]]",
    b"-0",
];

/// One to three mutations of `bytes`; `other` is another format's file, for splices.
fn mutate(bytes: &[u8], other: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..1 + rng.below(3) {
        // Headers decide most of a file's reading: a third of the positions fall in the
        // first 512 bytes.
        let at = |rng: &mut Rng, len: usize| {
            if rng.below(3) == 0 {
                rng.below(len.min(512))
            } else {
                rng.below(len)
            }
        };
        if out.is_empty() {
            out.push(EDGE_BYTES[rng.below(EDGE_BYTES.len())]);
            continue;
        }
        match rng.below(7) {
            0 => {
                for _ in 0..1 + rng.below(4) {
                    let i = at(rng, out.len());
                    out[i] ^= 1 << rng.below(8);
                }
            }
            1 => {
                let i = at(rng, out.len());
                out[i] = EDGE_BYTES[rng.below(EDGE_BYTES.len())];
            }
            2 => {
                let i = at(rng, out.len());
                out.truncate(i);
            }
            3 => {
                let start = at(rng, out.len());
                let end = (start + 1 + rng.below(64)).min(out.len());
                out.drain(start..end);
            }
            4 => {
                let start = at(rng, out.len());
                let end = (start + 1 + rng.below(256)).min(out.len());
                let chunk = out[start..end].to_vec();
                let into = at(rng, out.len());
                out.splice(into..into, chunk);
            }
            5 => {
                let i = at(rng, out.len());
                let token = TOKENS[rng.below(TOKENS.len())];
                out.splice(i..i, token.iter().copied());
            }
            _ => {
                let i = at(rng, out.len());
                let from = rng.below(other.len().max(1));
                let end = (from + 1 + rng.below(512)).min(other.len());
                out.truncate(i);
                out.extend_from_slice(&other[from.min(end)..end]);
            }
        }
    }
    out
}

/// Peak resident memory of this process, in kB (Linux; 0 elsewhere).
fn peak_memory_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

#[derive(Debug)]
enum Outcome {
    Read,
    Refused,
    Panicked(String),
    Hung,
}

/// Reads `root` in a thread of its own: its outcome, or `Hung` past the limit (the thread is
/// left behind).
fn read_guarded(root: &Path, options: &ReadOptions) -> Outcome {
    let (send, receive) = mpsc::channel();
    let (root, options) = (root.to_path_buf(), options.clone());
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_set(&root, &options).is_ok()
        }));
        let outcome = match result {
            Ok(true) => Outcome::Read,
            Ok(false) => Outcome::Refused,
            Err(panic) => Outcome::Panicked(
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default(),
            ),
        };
        let _ = send.send(outcome);
    });
    receive.recv_timeout(HANG_LIMIT).unwrap_or(Outcome::Hung)
}

/// Runs every seed's mutations for `inputs` inputs or `seconds` seconds a reader, whichever
/// ends first; prints the tally and fails on any panic, hang or blow-up.
fn fuzz(inputs: usize, seconds: u64, seed: u64) {
    let scratch = tempfile::tempdir().unwrap();
    let seeds = seeds(scratch.path());
    // Panics the readers catch themselves (the parquet decoder's) would print a backtrace
    // each; the ones that escape are collected with their message below.
    std::panic::set_hook(Box::new(|_| {}));
    let failures_dir = manifest().join("target/fuzz-failures");
    let mut failures = Vec::new();
    let mut total = 0;
    for (k, seed_file) in seeds.iter().enumerate() {
        // Each seed reads as intended before it is mutated.
        assert!(
            matches!(
                read_guarded(&seed_file.root, &seed_file.options),
                Outcome::Read
            ),
            "the {} seed does not read",
            seed_file.name
        );
        let other = &seeds[(k + 1) % seeds.len()].bytes;
        let mut rng = Rng(seed ^ (0x9e37_79b9_7f4a_7c15u64.wrapping_mul(k as u64 + 1)));
        let (mut read, mut refused) = (0, 0);
        let started = Instant::now();
        let mut tried = 0;
        while tried < inputs && started.elapsed() < Duration::from_secs(seconds) {
            let bytes = mutate(&seed_file.bytes, other, &mut rng);
            std::fs::write(&seed_file.target, &bytes).unwrap();
            let outcome = read_guarded(&seed_file.root, &seed_file.options);
            tried += 1;
            match outcome {
                Outcome::Read => read += 1,
                Outcome::Refused => refused += 1,
                Outcome::Panicked(_) | Outcome::Hung => {
                    std::fs::create_dir_all(&failures_dir).unwrap();
                    let file_name = seed_file.target.file_name().unwrap().to_string_lossy();
                    let kept = failures_dir.join(format!(
                        "{}-{tried}-{file_name}",
                        seed_file.name.replace(' ', "-")
                    ));
                    std::fs::write(&kept, &bytes).unwrap();
                    let what = match &outcome {
                        Outcome::Panicked(message) => format!("panicked: {message}"),
                        _ => format!("no answer in {} s", HANG_LIMIT.as_secs()),
                    };
                    failures.push(format!("{}: {what} ({})", seed_file.name, kept.display()));
                    if matches!(outcome, Outcome::Hung) {
                        break;
                    }
                }
            }
        }
        std::fs::write(&seed_file.target, &seed_file.bytes).unwrap();
        println!(
            "{:<20} {tried:>6} inputs: {read} read, {refused} refused, {} failed",
            seed_file.name,
            tried - read - refused
        );
        total += tried;
    }
    // The default hook again, so that the assertions below print their message.
    let _ = std::panic::take_hook();
    let peak = peak_memory_kb();
    println!("{total} inputs; peak memory {} MB", peak / 1024);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(peak < MEMORY_LIMIT_KB, "peak memory {peak} kB");
    assert!(total >= seeds.len(), "{total} inputs");
}

#[test]
fn fuzz_every_reader_briefly() {
    fuzz(400, 30, 0x5eed);
}

#[test]
#[ignore = "long: NUCAGREE_FUZZ_SECONDS=600 cargo test --release --test fuzz -- --ignored"]
fn fuzz_every_reader_long() {
    let seconds = std::env::var("NUCAGREE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let seed = std::env::var("NUCAGREE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x1ce);
    fuzz(usize::MAX, seconds, seed);
}
