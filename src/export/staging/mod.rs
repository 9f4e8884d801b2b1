//! Output folders that are defsim's, and only defsim's.
//!
//! * Every output folder holds a manifest, [`MANIFEST`] (`.defsim-output`), listing the files
//!   defsim wrote there. [`check_target`] lets a verb write into a folder only when it does not
//!   exist, is empty, or holds a manifest (or, for folders written by v0.1, a `run.json` or
//!   `summary.json` with a `defsim_version`, or the JSON a v0.1 verb wrote) and nothing that
//!   the manifest (or v0.1's list of file names) does not list. Verbs call it before they
//!   simulate, and [`Staging::commit`] calls it again just before replacing the folder.
//! * A verb writes into a hidden staging folder beside the target,
//!   `.NAME.defsim-staging.HOST.PID.NONCE`, and [`Staging::commit`] puts it in place: with
//!   Linux `renameat2(RENAME_EXCHANGE)` the old and the new folder swap names in one step (the
//!   staging name then holds the old results, which are removed); where the file system has no
//!   exchange, each file is renamed into the existing folder one at a time, so that DIR always
//!   exists, is always recognised as defsim's, and every file in it is whole (an old or a new
//!   version).
//! * A staging folder removes itself when dropped uncommitted; on SIGINT/SIGTERM the handler
//!   installed by [`remove_staging_on_interrupt`] removes every live staging folder and exits
//!   130; a later run removes staging folders of dead processes on the same host
//!   ([`remove_stale`]), never another host's.
//!
//! Signals and the checkpoint deferral live in `interrupt.rs`; the tests in `tests.rs`.

use std::collections::BTreeSet;
use std::fs;
use std::hash::{BuildHasher, RandomState};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

mod interrupt;

pub use interrupt::{
    Deferral, defer_interrupts, exit_interrupted, interrupt_requested, remove_live_staging,
    remove_staging_on_interrupt,
};
use interrupt::{forget, live, remove};

/// File name of the manifest in every output folder.
pub const MANIFEST: &str = ".defsim-output";

/// Exit code of a run interrupted by SIGINT or SIGTERM.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Infix of staging names: `.NAME.defsim-staging.HOST.PID.NONCE`.
const STAGING_INFIX: &str = ".defsim-staging.";

/// Files that defsim v0.1 wrote at the top of an output folder (it kept no manifest).
const V01_FILES: [&str; 19] = [
    "summary.json",
    "summary.csv",
    "timeseries.csv",
    "trials.csv",
    "run.json",
    "report.html",
    "compare.json",
    "compare.csv",
    "compare.html",
    "sweep.json",
    "sweep.csv",
    "sweep.html",
    "sensitivity.json",
    "sensitivity.csv",
    "sensitivity.html",
    "discover.json",
    "discover.html",
    "trajectory.csv",
    "box.csv",
];

/// `.defsim-output`.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    /// Format of this file (1).
    defsim_output: u32,
    /// What the file is for, for a person who finds it.
    note: String,
    /// Version of defsim that wrote the folder.
    defsim_version: String,
    /// Every file and folder defsim wrote, relative, `/`-separated; folders end in `/`.
    files: Vec<String>,
}

/// Why defsim will not write to a path (exit 2: bad input).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

/// Checks, before anything is simulated, that `target` is a folder defsim may replace, and
/// removes stale staging folders beside it. Returns what it found in `target`.
pub fn check_target(target: &Path) -> Result<(), Refusal> {
    owned_files(target)?;
    remove_stale(target);
    Ok(())
}

/// The files defsim wrote in `target` (empty when `target` is missing or empty); a
/// [`Refusal`] when `target` is not defsim's to replace.
fn owned_files(target: &Path) -> Result<Vec<String>, Refusal> {
    let shown = target.display();
    if target.file_name().is_none() {
        return Err(Refusal(format!(
            "{shown}: name the output folder itself (e.g. --out results/baseline), not `.`, `..` or `/`"
        )));
    }
    let meta = match fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Refusal(format!("cannot inspect {shown}: {e}"))),
    };
    if meta.file_type().is_symlink() {
        return Err(Refusal(format!(
            "{shown} is a symbolic link; defsim writes only into a folder it owns: name the \
             folder itself, or another one"
        )));
    }
    if !meta.is_dir() {
        return Err(Refusal(format!(
            "{shown} is a file, not an output folder; defsim leaves it untouched: choose \
             another --out"
        )));
    }
    let entries = walk(target).map_err(|e| Refusal(format!("cannot read {shown}: {e}")))?;
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let listed: BTreeSet<String> = if entries.iter().any(|e| e == MANIFEST) {
        let path = target.join(MANIFEST);
        let manifest = fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<Manifest>(&t).ok())
            .ok_or_else(|| {
                Refusal(format!(
                    "{} is not a manifest defsim wrote; defsim leaves {shown} untouched: \
                     choose another --out",
                    path.display()
                ))
            })?;
        manifest.files.into_iter().collect()
    } else if written_by_v01(target) {
        entries.iter().filter(|e| v01_name(e)).cloned().collect()
    } else {
        return Err(Refusal(format!(
            "{shown} is not a defsim output folder (it has no {MANIFEST} manifest) and is not \
             empty: it holds {}; defsim writes only into a new or empty folder or one it wrote \
             itself, and leaves this one untouched: choose another --out",
            list(&entries)
        )));
    };
    let foreign: Vec<String> = entries
        .iter()
        .filter(|e| *e != MANIFEST && !listed.contains(*e))
        .cloned()
        .collect();
    if !foreign.is_empty() {
        return Err(Refusal(format!(
            "{shown} holds files defsim did not write: {}; defsim replaces the whole folder \
             and would lose them, so it leaves the folder untouched: move them elsewhere or \
             choose another --out",
            list(&foreign)
        )));
    }
    Ok(entries)
}

/// Prepares `dir` as a folder that several processes may share, each writing one file of
/// `files` (the `n` parts of a sharded run: `mine` is this process's): the folder is created
/// if missing; its manifest, listing every name of `files`, is created atomically (a complete
/// file put in place only if no other process put one there first); an existing manifest must
/// list `mine`. Besides the manifest and the listed files, only the staging files of those
/// names (their writers' temporary files) may be in `dir`: anything else is refused by name
/// (exit 2), as is a folder without a manifest that is not empty. Stale staging files of
/// `mine` left by dead processes of this host are removed.
pub fn claim_shared(dir: &Path, files: &[String], mine: &str) -> Result<(), Refusal> {
    let shown = dir.display();
    match fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(Refusal(format!(
                "{shown} is a symbolic link; defsim writes only into a folder it owns: name \
                 the folder itself, or another one"
            )));
        }
        Ok(m) if !m.is_dir() => {
            return Err(Refusal(format!(
                "{shown} is a file, not a folder of parts; defsim leaves it untouched: choose \
                 another --out"
            )));
        }
        _ => {}
    }
    if dir.file_name().is_none() {
        return Err(Refusal(format!(
            "{shown}: name the folder of the parts itself (e.g. --out parts), not `.`, `..` or `/`"
        )));
    }
    fs::create_dir_all(dir).map_err(|e| Refusal(format!("cannot create {shown}: {e}")))?;
    let staging_of = |entry: &str, names: &[String]| {
        names.iter().chain([&MANIFEST.to_string()]).any(|n| {
            entry
                .strip_prefix(&format!(".{n}{STAGING_INFIX}"))
                .is_some_and(|rest| rest.split('.').count() == 3)
        })
    };
    let entries = walk(dir).map_err(|e| Refusal(format!("cannot read {shown}: {e}")))?;
    let manifest_path = dir.join(MANIFEST);
    if !entries.iter().any(|e| e == MANIFEST) {
        let others: Vec<String> = entries
            .iter()
            .filter(|e| !staging_of(e, files))
            .cloned()
            .collect();
        if !others.is_empty() {
            return Err(Refusal(format!(
                "{shown} is not a defsim output folder (it has no {MANIFEST} manifest) and is \
                 not empty: it holds {}; defsim writes only into a new or empty folder or one \
                 it wrote itself, and leaves this one untouched: choose another --out",
                list(&others)
            )));
        }
        let manifest = Manifest {
            defsim_output: 1,
            note: "defsim wrote this folder of shard parts (`defsim merge` reads them); \
                   shards write here only the files listed, and defsim refuses to if the \
                   folder holds files not listed here"
                .into(),
            defsim_version: env!("CARGO_PKG_VERSION").into(),
            files: files.to_vec(),
        };
        create_new_atomic(&manifest_path, &crate::export::json::to_text(&manifest))
            .map_err(|e| Refusal(format!("cannot write {}: {e}", manifest_path.display())))?;
    }
    let manifest = fs::read_to_string(&manifest_path)
        .ok()
        .and_then(|t| serde_json::from_str::<Manifest>(&t).ok())
        .ok_or_else(|| {
            Refusal(format!(
                "{} is not a manifest defsim wrote; defsim leaves {shown} untouched: choose \
                 another --out",
                manifest_path.display()
            ))
        })?;
    if !manifest.files.iter().any(|f| f == mine) {
        return Err(Refusal(format!(
            "{shown} holds the outputs of another defsim run (its {MANIFEST} lists {}, not \
             {mine}); shards of one run share a folder, another run needs its own: choose \
             another --out",
            list(&manifest.files)
        )));
    }
    // Re-read: files written since the first look count too.
    let entries = walk(dir).map_err(|e| Refusal(format!("cannot read {shown}: {e}")))?;
    let foreign: Vec<String> = entries
        .iter()
        .filter(|e| {
            *e != MANIFEST && !manifest.files.contains(e) && !staging_of(e, &manifest.files)
        })
        .cloned()
        .collect();
    if !foreign.is_empty() {
        return Err(Refusal(format!(
            "{shown} holds files defsim did not write: {}; a folder of parts holds only the \
             parts of one run, so defsim leaves it untouched: move them elsewhere or choose \
             another --out",
            list(&foreign)
        )));
    }
    remove_stale(&dir.join(mine));
    remove_stale(&manifest_path);
    Ok(())
}

/// Creates the file `path` holding `text`, atomically and only if it does not exist: a
/// complete staging file is renamed to `path` without replacing (Linux `RENAME_NOREPLACE`;
/// elsewhere a hard link, which also fails if `path` exists). Another process's file already
/// there is not an error: it is left as it is.
fn create_new_atomic(path: &Path, text: &str) -> io::Result<()> {
    let temp = staging_path(path)?;
    live().push(temp.clone());
    let result = (|| {
        let mut f = fs::File::create(&temp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        match rename_noreplace(&temp, path) {
            Err(e) if exchange_unsupported(&e) => fs::hard_link(&temp, path),
            other => other,
        }
    })();
    let mut live = live();
    let _ = fs::remove_file(&temp);
    forget(&mut live, &temp);
    match result {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        other => other,
    }
}

/// Renames `from` to `to` unless `to` exists (then `AlreadyExists`).
#[cfg(target_os = "linux")]
fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE).map_err(io::Error::from)
}

/// No `RENAME_NOREPLACE` outside Linux: the caller links instead.
#[cfg(not(target_os = "linux"))]
fn rename_noreplace(_from: &Path, _to: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// The first few names of `entries`, for a message.
fn list(entries: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut s = entries
        .iter()
        .take(SHOWN)
        .map(|e| format!("`{e}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if entries.len() > SHOWN {
        s += &format!(" and {} more", entries.len() - SHOWN);
    }
    s
}

/// Whether `dir`, which has no manifest, was written by defsim v0.1: its `run.json` or
/// `summary.json` carries a `defsim_version`, or the JSON of `compare`, `sweep`,
/// `sensitivity` or `discover` is there with the fields that verb wrote.
fn written_by_v01(dir: &Path) -> bool {
    let json = |name: &str| -> Option<serde_json::Map<String, serde_json::Value>> {
        let meta = fs::symlink_metadata(dir.join(name)).ok()?;
        if !meta.is_file() || meta.len() > 1 << 30 {
            return None;
        }
        let text = fs::read_to_string(dir.join(name)).ok()?;
        match serde_json::from_str(&text).ok()? {
            serde_json::Value::Object(m) => Some(m),
            _ => None,
        }
    };
    let has = |name: &str, keys: &[&str]| {
        json(name).is_some_and(|m| keys.iter().all(|k| m.contains_key(*k)))
    };
    has("run.json", &["defsim_version"])
        || has("summary.json", &["defsim_version"])
        || has("compare.json", &["scenarios", "seed", "trials", "outcomes"])
        || has("sweep.json", &["scenario", "key", "seed", "steps"])
        || has("sensitivity.json", &["method", "inputs", "outcomes"])
        || has("discover.json", &["condition", "trajectory", "limits"])
}

/// Whether `entry` (relative, as [`walk`] gives it) is a name defsim v0.1 wrote.
fn v01_name(entry: &str) -> bool {
    V01_FILES.contains(&entry)
        || entry == "plots/"
        || entry
            .strip_prefix("plots/")
            .is_some_and(|f| !f.contains('/') && (f.ends_with(".png") || f.ends_with(".svg")))
}

/// Every entry under `dir`, relative and `/`-separated, folders ending in `/`, sorted.
/// Symbolic links and other non-regular files are listed as they are named (defsim never
/// writes them, so they are never in a manifest).
fn walk(dir: &Path) -> io::Result<Vec<String>> {
    fn go(dir: &Path, prefix: &str, out: &mut Vec<String>) -> io::Result<()> {
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                let rel = format!("{prefix}{name}/");
                out.push(rel.clone());
                go(&entry.path(), &rel, out)?;
            } else {
                out.push(format!("{prefix}{name}"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    go(dir, "", &mut out)?;
    out.sort();
    Ok(out)
}

/// This machine's name, as staging names carry it (`/` and `.` would break the name apart).
fn host() -> String {
    let uts = rustix::system::uname();
    let name = uts.nodename().to_string_lossy().replace(['/', '.'], "_");
    if name.is_empty() {
        "localhost".into()
    } else {
        name
    }
}

/// A staging name beside `target`: `.NAME.defsim-staging.HOST.PID.NONCE`.
fn staging_path(target: &Path) -> io::Result<PathBuf> {
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::other(format!("{} names no file", target.display())))?
        .to_string_lossy();
    let nonce = RandomState::new().hash_one((std::process::id(), std::time::SystemTime::now()));
    Ok(target.with_file_name(format!(
        ".{name}{STAGING_INFIX}{}.{}.{nonce:016x}",
        host(),
        std::process::id()
    )))
}

/// Creates the missing folders above `path` (none for a bare name), so that its staging
/// folder or file can be made beside it.
fn create_parent(path: &Path) -> io::Result<()> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => fs::create_dir_all(parent),
        None => Ok(()),
    }
}

/// Removes staging folders and files beside `target` left by processes of this host that
/// no longer run. Another host's (on a shared volume), and a live process's, are left alone.
pub fn remove_stale(target: &Path) {
    let Some(name) = target.file_name() else {
        return;
    };
    let prefix = format!(".{}{STAGING_INFIX}", name.to_string_lossy());
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let me = host();
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        // HOST.PID.NONCE, HOST without dots.
        let parts: Vec<&str> = rest.split('.').collect();
        let [h, pid, _nonce] = parts[..] else {
            continue;
        };
        let Ok(pid) = pid.parse::<i32>() else {
            continue;
        };
        if h == me && !alive(pid) {
            let _ = remove(&entry.path());
        }
    }
}

/// Whether process `pid` of this host runs (or may: when in doubt, it does).
fn alive(pid: i32) -> bool {
    if pid == std::process::id() as i32 {
        return true;
    }
    match rustix::process::Pid::from_raw(pid) {
        Some(p) => !matches!(
            rustix::process::test_kill_process(p),
            Err(rustix::io::Errno::SRCH)
        ),
        None => true,
    }
}

/// A staging folder that becomes `target` on [`Staging::commit`], and is removed if dropped
/// before that (or on SIGINT/SIGTERM).
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    temp: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates the staging folder beside `target` (creating `target`'s parent if needed).
    /// Call [`check_target`] first, before simulating.
    pub fn new(target: &Path) -> io::Result<Staging> {
        create_parent(target)?;
        let temp = staging_path(target)?;
        let mut live = live();
        fs::create_dir(&temp)?;
        live.push(temp.clone());
        Ok(Staging {
            target: target.to_path_buf(),
            temp,
            committed: false,
        })
    }

    /// Where to write the files now.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// The final folder.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes the manifest and puts the finished folder in place of `target` (see the
    /// module's documentation). Fails with a [`Refusal`] (inside the `io::Error`) when
    /// `target` became something defsim may not replace since [`check_target`].
    pub fn commit(mut self) -> io::Result<PathBuf> {
        let files = walk(&self.temp)?;
        let manifest = Manifest {
            defsim_output: 1,
            note: "defsim wrote this folder and replaces it whole when it writes here again; \
                   it refuses to if the folder holds files not listed here"
                .into(),
            defsim_version: env!("CARGO_PKG_VERSION").into(),
            files,
        };
        fs::write(
            self.temp.join(MANIFEST),
            crate::export::json::to_text(&manifest),
        )?;
        let mut live = live();
        let old = owned_files(&self.target).map_err(io::Error::other)?;
        let exists = fs::symlink_metadata(&self.target).is_ok();
        if !exists {
            fs::rename(&self.temp, &self.target)?;
            forget(&mut live, &self.temp);
        } else {
            match exchange(&self.temp, &self.target) {
                Ok(()) => {
                    // The staging name now holds the old results.
                    let _ = fs::remove_dir_all(&self.temp);
                    forget(&mut live, &self.temp);
                }
                Err(e) if exchange_unsupported(&e) => {
                    replace_per_file(&self.temp, &self.target, &old, &manifest.files)?;
                    let _ = fs::remove_dir_all(&self.temp);
                    forget(&mut live, &self.temp);
                }
                Err(e) => return Err(e),
            }
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let mut live = live();
            let _ = fs::remove_dir_all(&self.temp);
            forget(&mut live, &self.temp);
        }
    }
}

/// Swaps the names of two folders in one step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

/// No exchange outside Linux: [`replace_per_file`] does the work.
#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Whether a failed exchange means "this file system (or kernel) has none".
fn exchange_unsupported(e: &io::Error) -> bool {
    use rustix::io::Errno;
    e.kind() == io::ErrorKind::Unsupported
        || e.raw_os_error().is_some_and(|c| {
            [Errno::INVAL, Errno::NOSYS, Errno::OPNOTSUPP]
                .iter()
                .any(|x| x.raw_os_error() == c)
        })
}

/// Replaces the defsim folder `target` (holding `old`) by the staged folder `temp` (holding
/// `new`) without ever leaving `target` missing: a manifest listing both is put in place
/// first (so the folder stays recognised as defsim's), then every new file is renamed over
/// its old version (each rename is atomic, so every file is always whole), old files that
/// the new output lacks are removed, and the new manifest goes last.
pub(crate) fn replace_per_file(
    temp: &Path,
    target: &Path,
    old: &[String],
    new: &[String],
) -> io::Result<()> {
    let write_manifest = |files: Vec<String>| -> io::Result<()> {
        let manifest = Manifest {
            defsim_output: 1,
            note: "defsim is replacing this folder".into(),
            defsim_version: env!("CARGO_PKG_VERSION").into(),
            files,
        };
        let part = target.join(format!("{MANIFEST}.part"));
        fs::write(&part, crate::export::json::to_text(&manifest))?;
        fs::rename(&part, target.join(MANIFEST))
    };
    let mut union: BTreeSet<String> = old.iter().cloned().collect();
    union.extend(new.iter().cloned());
    union.insert(format!("{MANIFEST}.part"));
    union.remove(MANIFEST);
    write_manifest(union.into_iter().collect())?;
    for entry in new {
        let to = target.join(entry);
        if let Some(dir) = entry.strip_suffix('/') {
            if !target.join(dir).is_dir() {
                fs::create_dir(target.join(dir))?;
            }
        } else {
            fs::rename(temp.join(entry), &to)?;
        }
    }
    let new_set: BTreeSet<&String> = new.iter().collect();
    // Deepest first, so folders are empty when their turn comes.
    for entry in old.iter().rev() {
        if entry == MANIFEST || new_set.contains(entry) {
            continue;
        }
        match entry.strip_suffix('/') {
            Some(dir) => {
                let _ = fs::remove_dir(target.join(dir));
            }
            None => fs::remove_file(target.join(entry))?,
        }
    }
    write_manifest(new.to_vec())?;
    // The final manifest lists the new files only; it was written under the same name.
    let _ = fs::remove_file(target.join(format!("{MANIFEST}.part")));
    Ok(())
}

/// What a file that the user names (`check --json FILE`) holds, and how defsim recognises
/// one it wrote by its bytes: a file it may replace.
pub type FileKind = (&'static str, fn(&[u8]) -> bool);

/// The largest existing file [`check_file_target`] reads to recognise it.
const RECOGNISED_MAX: u64 = 1 << 28;

/// Checks, before anything is computed, that defsim may write the file `path` that the user
/// named (a `FILE` option such as `check --json FILE`): a new name whose nearest existing
/// ancestor is a folder (the missing folders are created when writing), or an existing
/// regular file that `kind` recognises by its bytes as one that defsim writes, which is
/// then replaced whole ([`write_user_file_atomic_with`]). A symbolic link, anything that is not a
/// regular file, and a file defsim did not write are refused, named, and left untouched: as
/// with output folders, defsim replaces only what it wrote.
pub fn check_file_target(path: &Path, (what, ours): FileKind) -> Result<(), Refusal> {
    let shown = path.display();
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(Refusal(format!(
                "{shown} is a symbolic link; defsim replaces the file it would write whole, \
                 not the file a link names: name the file itself"
            )));
        }
        Ok(m) if !m.is_file() => {
            return Err(Refusal(format!(
                "{shown} is not a regular file; defsim leaves it untouched: name another file"
            )));
        }
        Ok(m) => {
            let bytes = (m.len() <= RECOGNISED_MAX)
                .then(|| fs::read(path).ok())
                .flatten();
            return match bytes {
                Some(b) if ours(&b) => Ok(()),
                _ => Err(Refusal(format!(
                    "{shown} exists and is not a {what} that defsim wrote; defsim replaces only \
                     files it wrote and leaves this one untouched: name another file, or move \
                     it away"
                ))),
            };
        }
        Err(_) => {}
    }
    let mut dir = path.parent();
    while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
        match fs::metadata(d) {
            Ok(m) if m.is_dir() => return Ok(()),
            Ok(_) => {
                return Err(Refusal(format!(
                    "cannot create {shown}: {} is a file, not a folder",
                    d.display()
                )));
            }
            Err(_) => dir = d.parent(),
        }
    }
    Ok(())
}

/// Why [`write_user_file_atomic_with`] wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum FileWriteError {
    /// `path` became a file defsim may not replace while the file was computed (exit 2).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Writing or renaming the staging file failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// [`write_atomic_with`] for a file the user named (`check --json FILE`), creating its
/// missing parent folders; checks again,
/// just before the staging file is renamed over `path`, what [`check_file_target`] checked
/// before the run, so a file of the user's created at `path` during the run is refused
/// (its staging file removed) and left untouched, as an output folder is by [`commit`].
pub fn write_user_file_atomic_with(
    path: &Path,
    kind: FileKind,
    fill: impl FnOnce(&mut fs::File) -> io::Result<()>,
) -> Result<(), FileWriteError> {
    create_parent(path)?;
    let mut refused = None;
    let written = write_atomic_checked(path, fill, || {
        check_file_target(path, kind).map_err(|r| {
            refused = Some(r);
            io::Error::other("refused")
        })
    });
    match (written, refused) {
        (_, Some(r)) => Err(r.into()),
        (w, None) => Ok(w?),
    }
}

/// Writes the file `path` whole or not at all: `fill` writes a staging file beside it
/// (`.NAME.defsim-staging.HOST.PID.NONCE`: removed on failure and on SIGINT/SIGTERM, and by
/// a later [`remove_stale`] once this process is dead), which is flushed to disk and renamed
/// over `path`. A reader never sees half a file.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut fs::File) -> io::Result<()>,
) -> io::Result<()> {
    write_atomic_checked(path, fill, || Ok(()))
}

/// [`write_atomic_with`] that calls `before_rename` once the staging file is on disk: an
/// error there removes the staging file and leaves `path` untouched.
fn write_atomic_checked(
    path: &Path,
    fill: impl FnOnce(&mut fs::File) -> io::Result<()>,
    before_rename: impl FnOnce() -> io::Result<()>,
) -> io::Result<()> {
    let temp = staging_path(path)?;
    live().push(temp.clone());
    let result = (|| {
        let mut f = fs::File::create(&temp)?;
        fill(&mut f)?;
        f.sync_all()?;
        before_rename()?;
        fs::rename(&temp, path)
    })();
    let mut live = live();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    forget(&mut live, &temp);
    result
}

/// A staging file beside `path` (named as [`write_atomic_with`] names them), removed when
/// dropped and on SIGINT/SIGTERM: scratch space that must not outlive the process.
#[derive(Debug)]
pub struct ScratchFile {
    path: PathBuf,
}

impl ScratchFile {
    /// Creates the (empty) scratch file for `path`, returning it and the open file.
    pub fn create(path: &Path) -> io::Result<(ScratchFile, fs::File)> {
        let temp = staging_path(path)?;
        live().push(temp.clone());
        let scratch = ScratchFile { path: temp };
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&scratch.path)?;
        Ok((scratch, file))
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        let mut live = live();
        let _ = fs::remove_file(&self.path);
        forget(&mut live, &self.path);
    }
}

#[cfg(test)]
pub(crate) mod tests;
