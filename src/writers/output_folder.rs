//! An output folder written whole or not at all: a run writes into a staging folder beside
//! `--out` and renames it into place at the end, so a full disk or a killed process never
//! leaves a half-written set under the final name, and a reused `--out` never mixes two
//! runs' files.
//!
//! The rules: the folder must be new, empty, or one an earlier run wrote (it holds
//! [`MARKER`]), which is then replaced whole; a folder holding anything else is refused, as
//! is one inside an input or holding an input. A lock file beside it refuses a second
//! concurrent writer; the staging folders and locks of processes that no longer run are
//! removed when the next run begins.
//!
//! ```
//! use nucagree::writers::output_folder::{OutputFolder, MARKER};
//! let parent = std::env::temp_dir().join(format!("nucagree-doc-{}", std::process::id()));
//! let out = parent.join("results");
//! let folder = OutputFolder::begin(&out, &[]).unwrap();
//! std::fs::write(folder.staging().join("summary.json"), "{}\n").unwrap();
//! assert!(!out.exists()); // nothing under the final name until the end
//! folder.commit().unwrap();
//! assert!(out.join("summary.json").is_file() && out.join(MARKER).is_file());
//! # std::fs::remove_dir_all(&parent).unwrap();
//! ```

use crate::error::{Error, Remedy, Result};
use std::path::{Path, PathBuf};

/// The file that marks a folder as written by nucagree (and so replaceable by the next run).
pub const MARKER: &str = ".nucagree-output";

const MARKER_TEXT: &str = "written by nucagree: the next run into this folder replaces it whole\n";

/// A staging folder that becomes the output folder on [`OutputFolder::commit`], and is
/// removed (with the lock) if dropped before.
#[derive(Debug)]
pub struct OutputFolder {
    target: PathBuf,
    staging: PathBuf,
    lock: PathBuf,
    committed: bool,
}

impl OutputFolder {
    /// Checks `target` against the rules above, takes the lock and creates the staging
    /// folder. Nothing under `target` changes until [`OutputFolder::commit`].
    pub fn begin(target: &Path, inputs: &[&Path]) -> Result<OutputFolder> {
        super::files::check_outside_inputs(target, inputs)?;
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty() && *n != "..")
            .ok_or_else(|| Error::Needs {
                path: target.to_path_buf(),
                message: "expected an output folder with a name (not `.`, `..` or `/`)".into(),
                remedy: Remedy::NewOutput,
            })?
            .to_string();
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, "create", e))?;
        check_replaceable(target)?;
        remove_stale(&parent, &name);
        let pid = std::process::id();
        let lock = parent.join(format!(".{name}.nucagree-lock"));
        take_lock(&lock, target, pid)?;
        let staging = parent.join(format!(".{name}.nucagree-staging-{pid}"));
        let folder = OutputFolder {
            target: target.to_path_buf(),
            staging,
            lock,
            committed: false,
        };
        if folder.staging.exists() {
            std::fs::remove_dir_all(&folder.staging)
                .map_err(|e| Error::io(&folder.staging, "remove", e))?;
        }
        std::fs::create_dir(&folder.staging)
            .map_err(|e| Error::io(&folder.staging, "create", e))?;
        Ok(folder)
    }

    /// Where the run writes: the staging folder.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// `path` under the staging folder as it will be named once committed.
    pub fn final_path(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.staging)
            .map(|rest| self.target.join(rest))
            .unwrap_or_else(|_| path.to_path_buf())
    }

    /// Marks the staging folder as nucagree's and renames it into place, replacing an
    /// earlier run's folder; releases the lock.
    pub fn commit(mut self) -> Result<PathBuf> {
        let marker = self.staging.join(MARKER);
        std::fs::write(&marker, MARKER_TEXT).map_err(|e| Error::io(&marker, "write", e))?;
        // Checked again: the folder may have changed since the run began.
        check_replaceable(&self.target)?;
        let old = self.target.with_file_name(format!(
            ".{}.nucagree-old-{}",
            self.target
                .file_name()
                .unwrap_or_default()
                .to_string_lossy(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old).map_err(|e| Error::io(&self.target, "move", e))?;
        }
        if let Err(e) = std::fs::rename(&self.staging, &self.target) {
            if had_old {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(Error::io(&self.target, "write", e));
        }
        self.committed = true;
        if had_old {
            let _ = std::fs::remove_dir_all(&old);
        }
        let _ = std::fs::remove_file(&self.lock);
        Ok(self.target.clone())
    }
}

impl Drop for OutputFolder {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
            let _ = std::fs::remove_file(&self.lock);
        }
    }
}

/// A folder that does not exist, is empty, or holds [`MARKER`].
fn check_replaceable(target: &Path) -> Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(target) else {
        return Ok(());
    };
    let refuse = |what: &str| Error::Needs {
        path: target.to_path_buf(),
        message: format!(
            "{what}: expected a new or empty folder, or one an earlier nucagree run wrote \
             (which is replaced whole)"
        ),
        remedy: Remedy::NewOutput,
    };
    if !meta.is_dir() {
        return Err(refuse("exists and is not a folder"));
    }
    if target.join(MARKER).is_file() {
        return Ok(());
    }
    let mut entries = std::fs::read_dir(target).map_err(|e| Error::io(target, "list", e))?;
    if entries.next().is_some() {
        return Err(refuse(&format!(
            "a folder with files nucagree did not write (no {MARKER} in it)"
        )));
    }
    Ok(())
}

/// Takes the lock file, or names the live process that holds it (a lock whose process has
/// ended is taken over).
fn take_lock(lock: &Path, target: &Path, pid: u32) -> Result<()> {
    for _ in 0..2 {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(lock)
        {
            Ok(mut file) => {
                use std::io::Write;
                return file
                    .write_all(format!("{pid}\n").as_bytes())
                    .map_err(|e| Error::io(lock, "write", e));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let holder = std::fs::read_to_string(lock)
                    .ok()
                    .and_then(|text| text.trim().parse::<u32>().ok());
                match holder {
                    Some(holder) if holder != pid && process_runs(holder) => {
                        return Err(Error::Needs {
                            path: target.to_path_buf(),
                            message: format!(
                                "another nucagree run (process {holder}) is writing this \
                                 folder: expected one writer at a time (if none is, remove {})",
                                lock.display()
                            ),
                            remedy: Remedy::NewOutput,
                        });
                    }
                    _ => {
                        let _ = std::fs::remove_file(lock);
                    }
                }
            }
            Err(e) => return Err(Error::io(lock, "create", e)),
        }
    }
    Err(Error::io(
        lock,
        "create",
        std::io::Error::new(std::io::ErrorKind::AlreadyExists, "lock taken meanwhile"),
    ))
}

/// Whether a process runs (by `/proc`; where there is none, every process is assumed to).
fn process_runs(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// Removes the staging and replaced folders of ended runs into `name`.
fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefixes = [
        format!(".{name}.nucagree-staging-"),
        format!(".{name}.nucagree-old-"),
    ];
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let pid = prefixes
            .iter()
            .find_map(|p| file_name.strip_prefix(p.as_str()))
            .and_then(|rest| rest.parse::<u32>().ok());
        if let Some(pid) = pid {
            if pid != std::process::id() && !process_runs(pid) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("nucagree-output-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_second_run_replaces_the_first_whole() {
        let parent = scratch("replace");
        let out = parent.join("out");
        let first = OutputFolder::begin(&out, &[]).unwrap();
        std::fs::write(first.staging().join("report.html"), "first").unwrap();
        first.commit().unwrap();
        let second = OutputFolder::begin(&out, &[]).unwrap();
        std::fs::write(second.staging().join("summary.json"), "second").unwrap();
        second.commit().unwrap();
        assert!(!out.join("report.html").exists());
        assert_eq!(
            std::fs::read_to_string(out.join("summary.json")).unwrap(),
            "second"
        );
        let mut left: Vec<_> = std::fs::read_dir(&parent)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        left.sort();
        assert_eq!(left, vec![std::ffi::OsString::from("out")]);
        std::fs::remove_dir_all(&parent).unwrap();
    }

    #[test]
    fn a_foreign_folder_is_refused_and_left_alone() {
        let parent = scratch("foreign");
        let out = parent.join("mine");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("NOTES.txt"), "keep me").unwrap();
        let error = OutputFolder::begin(&out, &[]).unwrap_err().to_string();
        assert!(error.contains("did not write"), "{error}");
        assert_eq!(
            std::fs::read_to_string(out.join("NOTES.txt")).unwrap(),
            "keep me"
        );
        std::fs::remove_dir_all(&parent).unwrap();
    }

    #[test]
    fn a_live_writer_holds_the_lock_and_a_dead_ones_leftovers_are_removed() {
        let parent = scratch("lock");
        let out = parent.join("out");
        let held = OutputFolder::begin(&out, &[]).unwrap();
        // The lock names this (live) process: a second writer from another process would be
        // refused; here the lock is rewritten to name PID 1, which runs.
        std::fs::write(parent.join(".out.nucagree-lock"), "1\n").unwrap();
        let error = OutputFolder::begin(&out, &[]).unwrap_err().to_string();
        assert!(error.contains("process 1"), "{error}");
        drop(held);
        // A killed run: its lock and staging folder, named by a PID that does not run.
        let dead = u32::MAX - 7;
        std::fs::write(parent.join(".out.nucagree-lock"), format!("{dead}\n")).unwrap();
        std::fs::create_dir_all(parent.join(format!(".out.nucagree-staging-{dead}"))).unwrap();
        let folder = OutputFolder::begin(&out, &[]).unwrap();
        assert!(!parent
            .join(format!(".out.nucagree-staging-{dead}"))
            .exists());
        folder.commit().unwrap();
        assert!(!parent.join(".out.nucagree-lock").exists());
        std::fs::remove_dir_all(&parent).unwrap();
    }

    #[test]
    fn a_failed_run_leaves_nothing_under_the_final_name() {
        let parent = scratch("failed");
        let out = parent.join("out");
        let folder = OutputFolder::begin(&out, &[]).unwrap();
        std::fs::write(folder.staging().join("confusion.csv"), "").unwrap();
        drop(folder);
        assert_eq!(std::fs::read_dir(&parent).unwrap().count(), 0);
        std::fs::remove_dir_all(&parent).unwrap();
    }

    #[test]
    fn an_output_that_holds_an_input_is_refused() {
        let parent = scratch("holds");
        let input = parent.join("out").join("set");
        std::fs::create_dir_all(&input).unwrap();
        std::fs::write(parent.join("out").join(MARKER), MARKER_TEXT).unwrap();
        let error = OutputFolder::begin(&parent.join("out"), &[&input])
            .unwrap_err()
            .to_string();
        assert!(error.contains("holds the input"), "{error}");
        assert!(input.is_dir());
        std::fs::remove_dir_all(&parent).unwrap();
    }
}
