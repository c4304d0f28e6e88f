//! Writing outputs safely: never a half-written file.
//!
//! [`write_atomic`] writes beside the target under a temporary name and
//! renames it into place, so a reader (or a crash, or Ctrl-C) sees the old
//! file or the new one, never a prefix. [`Staging`] does the same for a
//! whole report: every file of a run is written into a hidden directory
//! first and moved into place only when all of them exist, so a run that
//! fails (a full disk, Ctrl-C, an export that cannot be made) leaves the
//! previous report exactly as it was, never old files beside new ones.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `contents` to `path` atomically (temporary file, then rename).
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    let tmp = temporary_path(path);
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Writes every `(path, contents)` atomically, side by side on scoped
/// threads: each file is still synced before its rename, but the file
/// system can commit the syncs together. On failure, returns the first
/// failing path (in the given order) and its error; the others are written.
pub fn write_all_atomic(files: &[(PathBuf, &[u8])]) -> Result<(), (PathBuf, io::Error)> {
    std::thread::scope(|scope| {
        let writers: Vec<_> =
            files.iter().map(|(path, contents)| (path, scope.spawn(move || write_atomic(path, contents)))).collect();
        for (path, writer) in writers {
            writer.join().expect("a file writer panicked").map_err(|e| (path.clone(), e))?;
        }
        Ok(())
    })
}

/// Checks that `dir` exists (creating it) and accepts new files, before any
/// simulation time is spent.
pub fn ensure_writable_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let probe = dir.join(format!(".simbench-probe-{}", std::process::id()));
    fs::File::create(&probe)?;
    fs::remove_file(&probe)
}

/// A report directory's next contents, written whole or not at all.
///
/// Files are written into `<dir>/.staging-<pid>/` (inside the target, so on
/// its file system); [`Staging::commit`] renames each into `dir` and removes
/// the files of an earlier run that this run did not write (those `owned`
/// names: a chart this scenario no longer draws, an export not asked for
/// again), leaving any other file in `dir` (a sweep's outputs) alone.
/// Dropped without a commit, the staging directory is removed and `dir` is
/// untouched.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    staging: PathBuf,
}

impl Staging {
    /// Creates (or checks) `dir` and an empty staging directory in it.
    pub fn new(dir: &Path) -> io::Result<Staging> {
        ensure_writable_dir(dir)?;
        let staging = dir.join(format!(".staging-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging)?;
        }
        fs::create_dir(&staging)?;
        Ok(Staging { target: dir.to_path_buf(), staging })
    }

    /// Where this run's files are written.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Moves every staged file into place, then removes earlier files with
    /// an `owned` name that this run did not write.
    pub fn commit(self, owned: impl Fn(&str) -> bool) -> io::Result<()> {
        let mut staged: Vec<String> = Vec::new();
        for entry in fs::read_dir(&self.staging)? {
            staged.push(entry?.file_name().to_string_lossy().into_owned());
        }
        staged.sort();
        for name in &staged {
            fs::rename(self.staging.join(name), self.target.join(name))?;
        }
        for entry in fs::read_dir(&self.target)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if owned(&name) && !staged.contains(&name) && entry.file_type()?.is_file() {
                fs::remove_file(entry.path())?;
            }
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // Empty after a commit; whatever a failed run staged otherwise.
        let _ = fs::remove_dir_all(&self.staging);
    }
}

fn temporary_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// A scenario name made safe as one directory name: letters, digits, `.`,
/// `_` and `-` are kept, anything else becomes `-`.
pub fn directory_name(scenario_name: &str) -> String {
    let cleaned: String = scenario_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '-' })
        .collect();
    let trimmed = cleaned.trim_matches(|c| c == '-' || c == '.');
    if trimmed.is_empty() { "scenario".to_string() } else { trimmed.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_replaces_a_report_whole_or_not_at_all() {
        let dir = std::env::temp_dir().join(format!("simbench-staging-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        for (name, text) in [("report.json", "old"), ("old-chart.svg", "old"), ("sweep.json", "theirs")] {
            fs::write(dir.join(name), text).unwrap();
        }
        let owned = |name: &str| name.starts_with("report.") || name.ends_with(".svg");
        // A failed run: staged, never committed.
        let failed = Staging::new(&dir).unwrap();
        fs::write(failed.path().join("report.json"), "half").unwrap();
        drop(failed);
        assert_eq!(fs::read_to_string(dir.join("report.json")).unwrap(), "old");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 3, "no staging directory left");
        // A run that succeeds.
        let run = Staging::new(&dir).unwrap();
        fs::write(run.path().join("report.json"), "new").unwrap();
        fs::write(run.path().join("report.md"), "new").unwrap();
        run.commit(owned).unwrap();
        let mut names: Vec<String> =
            fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        assert_eq!(names, ["report.json", "report.md", "sweep.json"], "stale owned files go, others stay");
        assert_eq!(fs::read_to_string(dir.join("report.json")).unwrap(), "new");
        assert_eq!(fs::read_to_string(dir.join("sweep.json")).unwrap(), "theirs");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn directory_names_are_safe() {
        assert_eq!(directory_name("downloads"), "downloads");
        assert_eq!(directory_name("<script>alert(1)</script>"), "script-alert-1---script");
        assert_eq!(directory_name("../../etc"), "etc");
        assert_eq!(directory_name("///"), "scenario");
    }

    #[test]
    fn many_files_are_written_side_by_side() {
        let dir = std::env::temp_dir().join(format!("simbench-files-many-{}", std::process::id()));
        ensure_writable_dir(&dir).unwrap();
        let files: Vec<(PathBuf, &[u8])> = (0..5).map(|i| (dir.join(format!("{i}.txt")), &b"x"[..])).collect();
        write_all_atomic(&files).unwrap();
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 5);
        let missing = [(dir.join("no/such/dir.txt"), &b"x"[..])];
        assert_eq!(write_all_atomic(&missing).unwrap_err().0, missing[0].0);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn atomic_write_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("simbench-files-test-{}", std::process::id()));
        ensure_writable_dir(&dir).unwrap();
        let target = dir.join("report.json");
        write_atomic(&target, b"{}\n").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"{}\n");
        let leftovers: Vec<_> = fs::read_dir(&dir).unwrap().filter_map(Result::ok).collect();
        assert_eq!(leftovers.len(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }
}
